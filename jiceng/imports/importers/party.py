"""Importers for Party organisations and Party members."""

from __future__ import annotations

from jiceng.party import services
from jiceng.party.choices import OrgType
from jiceng.party.models import PartyMember, PartyOrg
from jiceng.people.models import Resident
from jiceng.people.services import id_hash_for
from jiceng.territory.models import Area

from .base import Col, Importer, Outcome, RowRejected
from .territory import _provided

YES_NO = [("是", "是"), ("否", "否")]


class PartyOrgImporter(Importer):
    kind = "party_orgs"
    permission = "party.import_partyorg"
    label = "党组织"
    model = PartyOrg
    columns = [
        Col("name", "党组织名称", required=True, synonyms=("名称", "党组织", "组织名称"), example="中共文昌花园小区支部委员会",
            field="name", width=28),
        Col("org_type", "组织类型", type="choice", required=True, choices=OrgType.choices, synonyms=("类型", "党组织类型"),
            example="党支部", field="org_type"),
        Col("parent", "上级党组织", synonyms=("上级组织", "上级党组织名称"), example="中共文昌花园社区委员会", field="parent", width=28),
        Col("area", "所在辖区", required=True, synonyms=("辖区", "所在小区", "所在网格", "所在社区", "辖区代码"),
            example="文昌花园小区", help="街道、社区、小区或网格的名称或代码", field="area", width=18),
        Col("established_at", "成立日期", type="date", synonyms=("成立时间",), example="2021-05-01", field="established_at"),
        Col("term_start", "本届起始日期", type="date", synonyms=("换届日期", "本届任期开始", "选举日期"), example="2021-05-01",
            field="term_start"),
        Col("term_years", "任期（年）", type="int", synonyms=("任期",), example=5, field="term_years", width=10),
        Col("is_big_committee", "大党委（大工委）", type="bool", synonyms=("大党委", "大工委"), choices=YES_NO,
            field="is_big_committee", width=10),
        Col("joint_units", "联合单位数", type="int", field="joint_units", width=10),
    ]  # fmt: skip
    key_columns = ("name",)
    scope_column = "area"

    def __init__(self, actor, **kwargs):
        super().__init__(actor, **kwargs)
        self._orgs: dict[tuple[str, str], PartyOrg | None] = {}

    def find_org(self, name: str, within: Area, column: str) -> PartyOrg:
        """The organisation of that name whose area contains ``within`` (the closest one wins)."""
        key = (name, within.path)
        if key not in self._orgs:
            prefixes = Area.ancestor_paths(within.path)
            found = (
                PartyOrg.objects.select_related("area")
                .filter(name=name, scope_path__in=prefixes)
                .order_by("-scope_path")
                .first()
            )
            self._orgs[key] = found
        if self._orgs[key] is None:
            raise RowRejected([(column, f"找不到上级党组织“{name}”（须在本组织辖区或其上级辖区）。")])
        return self._orgs[key]

    def apply(self, values):
        area = self.find_area(("street", "community", "quarter", "grid"), values["area"], column="area")
        data = _provided(
            values, ("org_type", "established_at", "term_start", "term_years", "is_big_committee", "joint_units")
        )
        if values.get("parent"):
            data["parent"] = self.find_org(values["parent"], area, "parent")
        existing = PartyOrg.objects.filter(name=values["name"], area=area).first()
        if existing is not None:
            if self.on_existing == "skip":
                return Outcome("skipped", [f"党组织“{existing.name}”已存在，已跳过。"])
            result = services.party_org_update(actor=self.actor, org=existing, **data)
            return Outcome("updated", result.warnings)
        result = services.party_org_create(actor=self.actor, name=values["name"], area=area, **data)
        return Outcome("created", result.warnings)


class PartyMemberImporter(Importer):
    kind = "party_members"
    permission = "party.import_partymember"
    label = "党员"
    model = PartyMember
    columns = [
        Col("name", "姓名", type="name", required=True, synonyms=("党员姓名",), example="王五", field="name", width=10),
        Col("id_number", "证件号码", type="id", synonyms=("身份证号", "身份证号码", "公民身份号码", "证件号"),
            example="341103198001019011", help="填写后关联到居民档案", field="resident", width=22),
        Col("gender", "性别", type="choice", choices=[("1", "男"), ("2", "女")], example="男", field="gender", width=8),
        Col("org", "所在党组织", synonyms=("党组织", "组织关系所在党组织", "所在支部", "党支部"),
            example="中共文昌花园小区支部委员会", help="在职党员可留空", field="org", width=28),
        Col("join_date", "入党日期", type="date", required=True, synonyms=("入党时间",), example="2010-07-01", field="join_date"),
        Col("full_date", "转正日期", type="date", synonyms=("转正时间",), example="2011-07-01", field="full_date"),
        Col("apply_date", "提交入党申请书日期", type="date", synonyms=("入党申请日期",), field="apply_date"),
        Col("activist_date", "确定为积极分子日期", type="date", synonyms=("积极分子日期",), field="activist_date"),
        Col("candidate_date", "确定为发展对象日期", type="date", synonyms=("发展对象日期",), field="candidate_date"),
        Col("is_in_service", "在职党员", type="bool", synonyms=("是否在职党员",), choices=YES_NO, example="否",
            field="is_in_service", width=10),
        Col("employer", "工作单位", synonyms=("单位",), field="employer", width=20),
        Col("employer_party_org", "单位党组织", field="employer_party_org", width=20),
        Col("report_community", "报到社区", synonyms=("双报到社区",), field="report_community", width=16),
        Col("report_date", "报到日期", type="date", field="report_date"),
        Col("is_floating", "流动党员", type="bool", synonyms=("是否流动党员",), choices=YES_NO, field="is_floating", width=10),
        Col("floating_destination", "流出去向", field="floating_destination"),
        Col("party_posts", "党内职务", field="party_posts"),
        Col("phone", "单位电话", type="compact", synonyms=("联系电话",), field="phone", width=16),
    ]  # fmt: skip
    key_columns = ("name", "id_number")
    scope_column = "org"

    def __init__(self, actor, **kwargs):
        super().__init__(actor, **kwargs)
        self._org_by_name: dict[str, PartyOrg | None] = {}

    def row_key(self, values):
        if values.get("id_number"):
            return ("id", values["id_number"])
        return ("name", values.get("name"), values.get("org"), values.get("join_date"))

    def _org(self, name: str, resident: Resident | None) -> PartyOrg:
        qs = PartyOrg.objects.filter(name=name)
        if resident is not None:  # same-name branches in different communities: the resident's wins
            local = qs.filter(scope_path=resident.scope_path[: 3 * Area.steplen]) | qs.filter(
                scope_path__startswith=resident.scope_path[: 3 * Area.steplen]
            )
            if local.exists():
                qs = local
        found = list(qs[:2])
        if not found:
            raise RowRejected([("org", f"找不到党组织“{name}”。")])
        if len(found) > 1:
            raise RowRejected([("org", f"有多个名为“{name}”的党组织，请填写证件号码以便按居住地区分，或使用全称。")])
        return found[0]

    def apply(self, values):
        resident = None
        if values.get("id_number"):
            resident = Resident.objects.filter(id_hash=id_hash_for(values["id_number"])).first()
            if resident is None:
                raise RowRejected([("id_number", "该证件号码没有对应的居民档案，请先导入居民。")])
        data = _provided(
            values,
            (
                "name", "gender", "join_date", "full_date", "apply_date", "activist_date", "candidate_date",
                "employer", "employer_party_org", "report_date", "floating_destination", "party_posts", "phone",
            ),
        )  # fmt: skip
        for flag in ("is_in_service", "is_floating"):
            if values.get(flag) is not None:
                data[flag] = values[flag]
        if values.get("org"):
            data["org"] = self._org(values["org"], resident)
        if values.get("report_community"):
            data["report_community"] = self.find_area(
                ("community",), values["report_community"], column="report_community"
            )
        if resident is not None:
            data["resident"] = resident
            data.setdefault("gender", resident.gender if resident.gender in {"1", "2"} else "")
        existing = None
        if resident is not None:
            existing = PartyMember.objects.filter(resident=resident).first()
        elif data.get("org") is not None:
            existing = PartyMember.objects.filter(name=values["name"], org=data["org"]).first()
        if existing is not None:
            if self.on_existing == "skip":
                return Outcome("skipped", [f"党员“{existing.name}”已登记，已跳过。"])
            result = services.member_update(actor=self.actor, member=existing, **data)
            return Outcome("updated", result.warnings)
        result = services.member_create(actor=self.actor, **data)
        return Outcome("created", result.warnings)
