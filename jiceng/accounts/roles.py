"""Roles as data: each role is a set of permissions, granted on a territory node (its subtree).

Permissions are ``<app>.<action>_<model>`` like Django's; ``*`` stands for any app or model.
Special actions: ``reveal`` (see a full ID number or phone, with a reason), ``viewtags``
(special-population tags), ``export``, ``import`` (bulk import of one kind, ``Importer.permission``),
``grant`` (give roles), ``viewaudit``, ``configure``
(settings pages: ``tickets.configure_ticket`` = 时限设置 and 工作日历, district admin only).
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from jiceng.core.entities import role_permissions

BUSINESS_MODELS_VIEW = ["territory.view_*", "party.view_*", "people.view_*"]
# 诉求 loop (jiceng.tickets), same for street, community and grid staff: ``intake`` = sees the reporter's contact unmasked (受理 role).
TICKETS_FULL = ["tickets.view_*", "tickets.add_ticket", "tickets.add_ticketattachment", "tickets.change_ticket",
                "tickets.intake_ticket"]  # fmt: skip
TICKETS_PERSONAL = (
    "tickets.view_ticket",
    "tickets.add_ticket",
    "tickets.add_ticketattachment",
    "tickets.change_ticket",
)
#: Bulk import (``import`` action, one permission per kind, declared as ``Importer.permission``): only the
#: roles that keep a roster in bulk. Personal roles (resident, Party member, unit handler) and the 三员
#: import nothing; a resident may file one request (``tickets.add_ticket``) but never load a file of them.
IMPORT_ROSTERS = ("territory.import_*", "party.import_*", "people.import_*")
IMPORT_HOTLINE = "tickets.import_ticket"  # 12345 work orders: received by the street's and community's intake
#: 组织机构 (jiceng.orgs): the organisations that are not territory nodes, managed on the node they
#: serve — the district's for 职能部门, a street's for the units, property companies and owners'
#: committees serving it.
ORGS_MANAGE = (
    "orgs.view_organisation",
    "orgs.add_organisation",
    "orgs.change_organisation",
    "orgs.import_organisation",
)
BUSINESS_MODELS_EDIT = [
    "territory.add_*", "territory.change_*",
    "party.add_*", "party.change_*",
    "people.add_*", "people.change_*",
]  # fmt: skip


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    permissions: tuple[str, ...]
    personal: bool = False  # sees through a personal link (own household / own record), not a subtree
    admin: bool = False  # one of the 三员, or may grant roles: TOTP required
    exclusive_group: str | None = None  # roles in the same group cannot be held together

    def has_perm(self, perm: str) -> bool:
        """The role's patterns, and the codes declared entities give it (``Entity.permissions``)."""
        return perm in role_permissions(self.code) or any(fnmatchcase(perm, p) for p in self.permissions)


ROLES: dict[str, Role] = {
    r.code: r
    for r in [
        Role(
            "district_admin",
            "区委组织部",
            (
                *BUSINESS_MODELS_VIEW,
                *BUSINESS_MODELS_EDIT,
                "people.reveal_*",
                "people.viewtags_*",
                "*.export_*",
                *IMPORT_ROSTERS,
                "tickets.*",  # includes tickets.configure_ticket (时限设置、工作日历) and tickets.import_ticket
                *ORGS_MANAGE,
            ),  # fmt: skip
        ),
        Role(
            "street_admin",
            "街道党工委工作人员",
            (
                *BUSINESS_MODELS_VIEW,
                *BUSINESS_MODELS_EDIT,
                "people.reveal_*",
                "people.viewtags_*",
                "*.export_*",
                *IMPORT_ROSTERS,
                IMPORT_HOTLINE,
                *TICKETS_FULL,
                *ORGS_MANAGE,
            ),  # fmt: skip
        ),
        Role(
            "community_worker",
            "社区工作者",
            (
                *BUSINESS_MODELS_VIEW,
                "territory.add_building",
                "territory.change_building",
                "territory.add_household",
                "territory.change_household",
                # Not ``territory.add_area``: 网格划分须经街道审定 — new grids and quarters are the street's.
                "territory.change_area",
                "party.add_*",
                "party.change_*",
                "people.add_*",
                "people.change_*",
                "people.reveal_*",
                "people.viewtags_*",
                "*.export_*",
                # Not territory.import_grid / import_quarter: new grids and quarters are the street's.
                "territory.import_building",
                "territory.import_household",
                "party.import_*",
                "people.import_*",
                IMPORT_HOTLINE,
                *TICKETS_FULL,
            ),
        ),  # fmt: skip
        Role(
            "grid_worker",
            "网格员",
            (
                *BUSINESS_MODELS_VIEW,
                "territory.add_building",
                "territory.change_building",
                "territory.add_household",
                "territory.change_household",
                "people.add_resident",
                "people.change_resident",
                "people.add_residenttag",
                "people.change_residenttag",
                "people.reveal_resident",
                "people.viewtags_*",
                # Their grid's roster in bulk; no 12345 import (work orders reach a grid by dispatch).
                "territory.import_building",
                "territory.import_household",
                "people.import_resident",
                *TICKETS_FULL,
            ),
        ),  # fmt: skip
        Role(
            "quarter_secretary",
            "小区(网格)党支部书记",
            (
                "territory.view_*",
                "party.view_*",
                "party.add_*",
                "party.change_*",
                "people.view_worker",
                "party.import_*",
            ),  # fmt: skip
        ),
        # 党员联户: a member files what they hear from their households (channel 党员联户) and follows
        # their own requests — the same personal ticket permissions as a resident.
        Role(
            "party_member", "党员", ("territory.view_area", "party.view_partymember", *TICKETS_PERSONAL), personal=True
        ),
        Role(
            "resident", "居民", ("territory.view_household", "people.view_resident", *TICKETS_PERSONAL), personal=True
        ),
        # A department (区职能部门) or co-building unit person: sees the tickets their organisation holds.
        Role(
            "unit_handler", "职能部门/共建单位经办人", ("tickets.view_ticket", "tickets.change_ticket"), personal=True
        ),
        # 单位包保: a co-building unit's liaison (单位联络员) sees the unit they are a member of (its
        # ``members``) and nothing of the territory's residents; not a subtree grant.
        Role("unit_liaison", "单位联络员", ("orgs.view_organisation",), personal=True),
        Role(
            "system_admin",
            "系统管理员",
            ("accounts.view_user", "accounts.add_user", "accounts.change_user", "territory.view_area"),
            admin=True,
            exclusive_group="sanyuan",
        ),
        Role(
            "security_admin",
            "安全管理员",
            ("accounts.view_user", "accounts.grant_rolegrant", "accounts.view_rolegrant", "territory.view_area"),
            admin=True,
            exclusive_group="sanyuan",
        ),
        Role(
            "audit_admin",
            "审计管理员",
            ("audit.view_auditlog", "audit.view_sensitiveaccesslog", "audit.viewaudit_*"),
            admin=True,
            exclusive_group="sanyuan",
        ),
    ]
}

ROLE_CHOICES = [(code, role.label) for code, role in ROLES.items()]


def role_choices():
    """Callable choices: adding a role or renaming its label needs no migration."""
    return ROLE_CHOICES
