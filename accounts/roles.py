"""Membership roles, ordered from least to most privileged.

A view declares the least role it needs (`required_role`); a member passes when their role ranks at
least as high. HR ranks above rep (HR reads every rep's results) and below manager (HR never edits).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REP = "rep", _("Sales rep")
    HR = "hr", _("HR reviewer")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Admin")
    OWNER = "owner", _("Owner")


ROLE_RANK = {role: rank for rank, role in enumerate(Role)}

# Roles an owner can oblige to use two-factor authentication (everyone but reps).
ROLES_2FA_CAN_BE_REQUIRED = frozenset({Role.HR, Role.MANAGER, Role.ADMIN, Role.OWNER})

# Roles an invitation can carry; ownership is never handed out by e-mail.
INVITABLE_ROLES = [Role.ADMIN, Role.MANAGER, Role.REP, Role.HR]

# Roles that belong to a team: a rep is in one team, a manager leads one or more.
TEAM_ROLES = frozenset({Role.REP, Role.MANAGER})


def role_at_least(role: str, required: str) -> bool:
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(required)]
