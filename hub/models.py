"""Every table of the hub, imported in one place for migrations and tests."""

from hub.indicators.models import IndicatorCell, IndicatorReport
from hub.members.models import ApiToken, Member, StaffAccount

__all__ = ["ApiToken", "IndicatorCell", "IndicatorReport", "Member", "StaffAccount"]
