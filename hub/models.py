"""Every table of the hub, imported in one place for migrations and tests."""

from hub.audit.models import AuditCheckpoint, AuditEvent
from hub.delegations.models import (
    DeadlineReminder,
    Mandate,
    MandateKey,
    MandateVersion,
    MemberKey,
    Payload,
)
from hub.indicators.models import IndicatorCell, IndicatorReport, ReportReminder
from hub.jobs.models import JobRun
from hub.mail.models import OutboxMessage
from hub.members.models import ApiToken, Member, MemberUser, StaffAccount
from hub.seminars.models import (
    GroupContact,
    GroupMember,
    RoadmapGoal,
    Seminar,
    SeminarItem,
    SeminarPack,
    SkillDeclaration,
    SkillMatch,
    WorkingGroup,
)
from hub.stats.models import Publication, PublicationReport
from hub.trainings.models import CatalogueRevision, SeatRequest, SessionTag, TrainingSession
from hub.web.models import LoginThrottle, WebSession

__all__ = [
    "ApiToken",
    "AuditCheckpoint",
    "AuditEvent",
    "CatalogueRevision",
    "DeadlineReminder",
    "GroupContact",
    "GroupMember",
    "IndicatorCell",
    "IndicatorReport",
    "JobRun",
    "LoginThrottle",
    "Mandate",
    "MandateKey",
    "MandateVersion",
    "Member",
    "MemberKey",
    "MemberUser",
    "OutboxMessage",
    "Payload",
    "Publication",
    "PublicationReport",
    "ReportReminder",
    "RoadmapGoal",
    "SeatRequest",
    "Seminar",
    "SeminarItem",
    "SeminarPack",
    "SessionTag",
    "SkillDeclaration",
    "SkillMatch",
    "StaffAccount",
    "TrainingSession",
    "WebSession",
    "WorkingGroup",
]
