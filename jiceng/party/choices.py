from django.db import models


class OrgType(models.TextChoices):
    STREET_WORKING_COMMITTEE = "street_wc", "街道党工委"
    COMMUNITY_COMMITTEE = "community_committee", "社区党委"
    COMMUNITY_GENERAL_BRANCH = "community_general", "社区党总支"
    BRANCH = "branch", "党支部"
    JOINT_BRANCH = "joint_branch", "联合党支部"
    FUNCTIONAL_BRANCH = "functional_branch", "功能型党支部"


BRANCH_TYPES = {OrgType.BRANCH, OrgType.JOINT_BRANCH, OrgType.FUNCTIONAL_BRANCH}
COMMUNITY_TYPES = {OrgType.COMMUNITY_COMMITTEE, OrgType.COMMUNITY_GENERAL_BRANCH}

#: Which organisation type may sit under which (中国共产党支部工作条例（试行）; 街道党工委 → 社区党委 / 总支 → 党支部).
ALLOWED_PARENT = {
    OrgType.STREET_WORKING_COMMITTEE: set(),
    OrgType.COMMUNITY_COMMITTEE: {OrgType.STREET_WORKING_COMMITTEE},
    OrgType.COMMUNITY_GENERAL_BRANCH: {OrgType.STREET_WORKING_COMMITTEE},
    OrgType.BRANCH: COMMUNITY_TYPES,
    OrgType.JOINT_BRANCH: COMMUNITY_TYPES,
    OrgType.FUNCTIONAL_BRANCH: COMMUNITY_TYPES,
}

#: Which territory kind each organisation type is attached to.
ORG_AREA_KINDS = {
    OrgType.STREET_WORKING_COMMITTEE: {"street"},
    OrgType.COMMUNITY_COMMITTEE: {"community"},
    OrgType.COMMUNITY_GENERAL_BRANCH: {"community"},
    OrgType.BRANCH: {"quarter", "grid", "community"},
    OrgType.JOINT_BRANCH: {"quarter", "grid", "community"},
    OrgType.FUNCTIONAL_BRANCH: {"quarter", "grid", "community"},
}


class MemberStatus(models.TextChoices):
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"


class SeatRole(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy", "副书记"
    ORGANISATION = "organisation", "组织委员"
    PROPAGANDA = "propaganda", "宣传委员"
    DISCIPLINE = "discipline", "纪检委员"
    MEMBER = "member", "委员"
    PART_TIME = "part_time", "兼职委员"


class SecretaryChannel(models.TextChoices):
    WORKER_CONCURRENT = "worker", "社区工作者兼任"
    ELECTED_MEMBER = "elected", "小区优秀党员推选"
    RETIRED_CADRE = "retired", "退休老干部派驻"
