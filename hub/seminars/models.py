"""Tables of the seminars domain: working groups, seminars, roadmaps, skills and packs."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from hub.db import UTCDateTime, utcnow


class GroupCode(StrEnum):
    """The three working groups of the federation."""

    STRATEGIE = "strategie"
    COMPETENCES = "competences"
    FORMATION = "formation"


PLENARY = "pleniere"
"""The audience of the plenary session: every group at once."""

GROUP_NAMES: dict[str, str] = {
    GroupCode.STRATEGIE: "Stratégie de développement",
    GroupCode.COMPETENCES: "Mutualisation des compétences",
    GroupCode.FORMATION: "Formation des entrepreneurs",
}
AUDIENCE_NAMES: dict[str, str] = {**GROUP_NAMES, PLENARY: "Plénière"}


class WorkingGroup(SQLModel, table=True):
    """A working group's settings: who facilitates it (a staff or a member's web account)."""

    __tablename__ = "working_group"

    code: str = Field(sa_column=Column(String(20), primary_key=True))
    facilitator_staff_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("staff_account.id"), nullable=True)
    )
    facilitator_user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member_user.id"), nullable=True)
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GroupMember(SQLModel, table=True):
    """A member CAE taking part in a working group."""

    __tablename__ = "working_group_member"
    __table_args__ = (UniqueConstraint("group_code", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_code: str = Field(max_length=20, index=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GroupContact(SQLModel, table=True):
    """A contact person of a member CAE in a group: a web account of the hub."""

    __tablename__ = "working_group_contact"
    __table_args__ = (UniqueConstraint("group_code", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_code: str = Field(max_length=20, index=True)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("member_user.id"), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Seminar(SQLModel, table=True):
    """The seminar of a semester."""

    __tablename__ = "seminar"

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=7, unique=True)
    day: date = Field(sa_column=Column(Date, nullable=False))
    place: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ItemKind(StrEnum):
    AGENDA = "ordre_du_jour"
    QUESTION = "question"


class SeminarItem(SQLModel, table=True):
    """An agenda item of a group (or of the plenary), or a question the facilitator wrote
    for the discussion."""

    __tablename__ = "seminar_item"

    id: int | None = Field(default=None, primary_key=True)
    seminar_id: int = Field(
        sa_column=Column(Integer, ForeignKey("seminar.id", ondelete="CASCADE"), nullable=False)
    )
    audience: str = Field(max_length=20)
    kind: str = Field(max_length=20)
    position: int
    text: str = Field(sa_column=Column(String(1000), nullable=False))


class RoadmapGoal(SQLModel, table=True):
    """One objective a member CAE set itself. Private to the CAE unless ``shared``."""

    __tablename__ = "roadmap_goal"
    __table_args__ = (UniqueConstraint("member_id", "indicator"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    indicator: str = Field(max_length=40)
    target_value: float = Field(sa_column=Column(Float, nullable=False))
    target_day: date = Field(sa_column=Column(Date, nullable=False))
    baseline_period: str | None = Field(default=None, max_length=7)
    baseline_value: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    shared: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Direction(StrEnum):
    OFFER = "offre"
    NEED = "besoin"


SKILLS: dict[str, str] = {
    "accompagnement_metier": "Accompagnement technique par métier",
    "communication": "Communication",
    "gestion_sociale": "Gestion sociale et paie",
    "comptabilite": "Comptabilité",
    "reunions_information": "Réunions d'information collective",
    "formation_formateurs": "Formation de formateurs",
}
"""The code list of support skills a CAE offers or needs."""
PAYROLL_SKILL = "gestion_sociale"


class SkillDeclaration(SQLModel, table=True):
    """A support skill a member CAE offers to the network or needs from it."""

    __tablename__ = "skill_declaration"
    __table_args__ = (UniqueConstraint("member_id", "skill", "direction"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    skill: str = Field(max_length=40)
    direction: str = Field(max_length=10)
    days_per_month: float = Field(sa_column=Column(Float, nullable=False))
    departement: str = Field(max_length=3)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SkillMatch(SQLModel, table=True):
    """A need served by an offer, as the two CAEs agreed. For « gestion sociale », the
    payroll delegation mandate that carries it: a loose reference, the delegations domain
    owns mandates."""

    __tablename__ = "skill_match"
    __table_args__ = (UniqueConstraint("need_id", "offer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("skill_declaration.id", ondelete="CASCADE"), nullable=False
        )
    )
    offer_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("skill_declaration.id", ondelete="CASCADE"), nullable=False
        )
    )
    mandate_ref: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SeminarPack(SQLModel, table=True):
    """One version of a seminar pack for one audience: the HTML and the PDF drawn from it."""

    __tablename__ = "seminar_pack"
    __table_args__ = (UniqueConstraint("seminar_id", "audience", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    seminar_id: int = Field(
        sa_column=Column(Integer, ForeignKey("seminar.id", ondelete="CASCADE"), nullable=False)
    )
    audience: str = Field(max_length=20)
    version: int
    period: str = Field(max_length=7, description="Semestre publié dont le pack donne les chiffres")
    publication_number: int
    html: str = Field(sa_column=Column(Text, nullable=False))
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    html_sha256: str = Field(max_length=64)
    pdf_sha256: str = Field(max_length=64)
    built_by_staff_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("staff_account.id"), nullable=True)
    )
    built_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
