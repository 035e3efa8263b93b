"""Every table of the hub, imported in one place for migrations and tests."""

from hub.members.models import ApiToken, Member, StaffAccount

__all__ = ["ApiToken", "Member", "StaffAccount"]
