"""Every table of the hub, imported in one place for migrations and tests."""

from hub.indicators.models import IndicatorCell, IndicatorReport
from hub.members.models import ApiToken, Member, StaffAccount
from hub.stats.models import Publication, PublicationReport

__all__ = [
    "ApiToken",
    "IndicatorCell",
    "IndicatorReport",
    "Member",
    "Publication",
    "PublicationReport",
    "StaffAccount",
]
