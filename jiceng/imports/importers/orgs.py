"""共建单位 (co-building units) from a roster: name, 统一社会信用代码 (checked per GB 32100 by the service),
category, the node they serve, contact and the unit's own Party organisation. A row whose credit code —
or, without one, whose name at that node — is already registered updates that unit."""

from __future__ import annotations

from jiceng.core.validators import name_variants
from jiceng.orgs import services
from jiceng.orgs.choices import OrgKind, UnitCategory
from jiceng.orgs.models import Organisation

from .base import Col, Importer, Outcome


class UnitImporter(Importer):
    kind = "units"
    permission = "orgs.import_organisation"
    label = "共建单位（包保单位）"
    model = Organisation
    columns = [
        Col("name", "单位名称", required=True, synonyms=("单位", "名称"), example="滁州市南谯区市场监督管理局", field="name", width=28),
        Col("uscc", "统一社会信用代码", synonyms=("信用代码", "社会信用代码"), example="11341103MB1234567X", field="uscc", width=22),
        Col("unit_category", "单位类别", type="choice", choices=UnitCategory.choices, synonyms=("类别", "单位性质"),
            example="党政机关", field="unit_category"),
        Col("area", "服务辖区", required=True, synonyms=("街道", "社区", "包保街道", "包保社区"), example="龙蟠街道",
            help="单位服务的街道或社区", field="area", width=16),
        Col("address", "地址", synonyms=("单位地址",), field="address", width=24),
        Col("contact_name", "联系人", field="contact_name", width=10),
        Col("contact_phone", "联系电话", type="phone", synonyms=("电话", "手机"), field="contact_phone", width=16),
        Col("party_org_name", "单位党组织名称", synonyms=("党组织",), field="party_org_name", width=24),
        Col("party_secretary", "党组织书记", synonyms=("书记",), field="party_secretary", width=10),
        Col("party_member_count", "党员人数", type="int", field="party_member_count", width=10),
    ]  # fmt: skip
    key_columns = ("uscc", "name")
    scope_column = "area"

    def row_key(self, values):
        return values.get("uscc") or (values.get("area"), values.get("name"))

    def apply(self, values):
        area = self.find_area(("street", "community"), values["area"], column="area")
        data = {k: values[k] for k in (c.key for c in self.columns) if k != "area" and values.get(k) not in (None, "")}
        existing = Organisation.objects.filter(kind=OrgKind.UNIT)
        existing = (
            existing.filter(uscc=values["uscc"])
            if values.get("uscc")
            else existing.filter(area=area, name__in=name_variants(data["name"]))
        ).first()
        if existing is not None:
            if self.on_existing == "skip":
                return Outcome("skipped", [f"单位“{existing.name}”已登记，已跳过。"])
            result = services.organisation_update(actor=self.actor, organisation=existing, area=area, **data)
            return Outcome("updated", result.warnings)
        result = services.organisation_create(actor=self.actor, kind=OrgKind.UNIT, area=area, **data)
        return Outcome("created", result.warnings)
