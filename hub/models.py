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
from hub.stats.models import Publication, PublicationReport
from hub.trainings.models import CatalogueRevision, SessionTag, TrainingSession
from hub.web.models import LoginThrottle, WebSession

__all__ = [
    "ApiToken",
    "AuditCheckpoint",
    "AuditEvent",
    "CatalogueRevision",
    "DeadlineReminder",
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
    "SessionTag",
    "StaffAccount",
    "TrainingSession",
    "WebSession",
]
