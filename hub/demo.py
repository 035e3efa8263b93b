"""``cae-hub demo``: a small demonstration federation on the configured database."""

from __future__ import annotations

import typer

from hub.members.models import StaffRole
from hub.members.schemas import MemberCreate, StaffCreate, TokenIssue
from hub.members.service import member_service, staff_service, token_service

DEMO_ADMIN = "admin@demo.cae-hub.fr"

# Invented cooperatives; their SIRENs pass the Luhn check but belong to nobody.
DEMO_MEMBERS = [
    MemberCreate(
        name="Coop'Bâtir Gironde",
        siren="832451967",
        region="75",
        departements=["33", "24", "47"],
        trades=["43.21A", "43.22A", "43.32A", "43.91B"],
        contact_email="contact@coopbatir-gironde.example",
        consents_raw_access=True,
    ),
    MemberCreate(
        name="Ouvrage Commun Occitanie",
        siren="512378043",
        region="76",
        departements=["31", "81", "82"],
        trades=["43.31Z", "43.34Z", "43.99C"],
        contact_email="bonjour@ouvrage-commun.example",
    ),
    MemberCreate(
        name="Les Charpentiers Associés du Béarn",
        siren="790145627",
        region="75",
        departements=["64", "40"],
        trades=["43.91A", "43.91B", "43.99A"],
        contact_email="accueil@charpentiers-bearn.example",
    ),
]


def demo() -> None:
    """Charger la fédération de démonstration (membres, compte administrateur, jetons)."""
    from hub.cli import load_settings, open_engine
    from hub.db import session_scope
    from hub.members.repository import StaffRepository
    from hub.migrate import upgrade

    settings = load_settings()
    engine = open_engine(settings)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            if StaffRepository(session).get_by_email(DEMO_ADMIN) is not None:
                typer.echo(
                    "fédération de démonstration déjà chargée ; pour un nouveau jeton : "
                    "cae-hub tokens issue --member SIREN"
                )
                return
            admin, password = staff_service.create(
                session,
                StaffCreate(
                    email=DEMO_ADMIN, display_name="Administration (démo)", role=StaffRole.ADMIN
                ),
            )
            _, admin_token = token_service.issue(
                session, TokenIssue(staff_email=admin.email, label="démo")
            )
            lines = [
                "fédération de démonstration chargée — ces secrets ne seront plus affichés :",
                f"  administrateur {admin.email} : mot de passe {password}",
                f"  jeton administrateur : {admin_token}",
            ]
            for data in DEMO_MEMBERS:
                member = member_service.create(session, data)
                _, secret = token_service.issue(
                    session, TokenIssue(member_siren=member.siren, label="démo")
                )
                lines.append(f"  {member.name} ({member.siren}) : {secret}")
        for line in lines:
            typer.echo(line)
    finally:
        engine.dispose()
