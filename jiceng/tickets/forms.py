"""Forms of the 诉求 pages. They collect and clean input; ``services`` validates again and writes.

* ``ReportForm`` — a resident (logged in, or anonymous with name and phone) reports a 诉求 on a phone;
* ``PatrolForm`` — a grid worker records a 巡查 event, or a request on behalf of a resident;
* ``IntakeForm`` — staff enter a 12345 hotline ticket, a visit, a request from another platform;
* ``ActionForm`` — the small form of one transition of ``states.py`` (its required and optional fields).
"""

from __future__ import annotations

from django import forms
from django.db.models import Q

from jiceng.core.forms import bootstrapify
from jiceng.orgs.choices import TERRITORY_ORG_KINDS, OrgKind
from jiceng.orgs.models import Organisation
from jiceng.territory.choices import AreaKind
from jiceng.territory.geo import grid_for_point
from jiceng.territory.models import Area, Building

from . import policy
from .choices import (
    CategoryKind,
    Channel,
    RejectReason,
    Satisfaction,
    SuperviseLevel,
    Urgency,
)
from .models import Category, Ticket
from .services import IMAGE_SIGNATURES, MAX_ATTACHMENT_BYTES
from .states import TRANSITIONS

MAX_PHOTOS = 3
RESIDENT_KINDS = [
    (k.value, k.label)
    for k in (
        CategoryKind.CONSULT,
        CategoryKind.HELP,
        CategoryKind.COMPLAINT,
        CategoryKind.REPORT,
        CategoryKind.SUGGESTION,
    )
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to ``MAX_PHOTOS`` images, each ≤ 10 MB, type read from the bytes (the service checks again)."""

    widget = MultipleFileInput

    def __init__(self, *args, max_files=MAX_PHOTOS, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"accept": "image/jpeg,image/png,image/gif,image/webp"})

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError("请至少上传一张照片。")
            return []
        if len(files) > self.max_files:
            raise forms.ValidationError(f"最多上传 {self.max_files} 张照片。")
        for f in files:
            super().clean(f, initial)
            if f.size > MAX_ATTACHMENT_BYTES:
                raise forms.ValidationError(f"照片“{f.name}”超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB。")
            head = f.read(16)
            f.seek(0)
            if not _is_image(head):
                raise forms.ValidationError(f"“{f.name}”不是 JPEG、PNG、GIF 或 WebP 图片。")
        return files


def _is_image(head: bytes) -> bool:
    for content_type, signatures in IMAGE_SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            return content_type != "image/webp" or head[8:12] == b"WEBP"
    return False


class CategorySelect(forms.Select):
    """Each option carries ``data-kind`` so the page can narrow the list to the chosen type."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-kind"] = instance.kind
        return option


class CategoryChoiceField(forms.ModelChoiceField):
    widget = CategorySelect

    def label_from_instance(self, obj):
        return f"{obj.get_kind_display()} · {obj.name}"


class LocationMixin(forms.Form):
    """A building of the list, or a point tapped on the grid map (``lng``/``lat``, WGS84)."""

    building = forms.ModelChoiceField(label="楼栋", queryset=Building.objects.none(), required=False)
    lng = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-90, max_value=90)

    def clean_location(self, cleaned):
        building, lng, lat = cleaned.get("building"), cleaned.get("lng"), cleaned.get("lat")
        if building is None and (lng is None or lat is None):
            raise forms.ValidationError("请选择楼栋，或在地图上点选位置。")

    def picked_grid(self):
        """The grid the submitted map point falls in, or None — so that the picker names it when the
        page comes back (another field's error) and says plainly when the point lies outside every grid."""
        if not self.is_bound or self.data.get("building"):
            return None
        try:
            lng, lat = float(self.data.get("lng")), float(self.data.get("lat"))
        except (TypeError, ValueError):
            return None
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            return None
        return grid_for_point(lng, lat)

    def location_data(self) -> dict:
        building = self.cleaned_data.get("building")
        if building is not None:
            return {"building": building}
        return {"lng": self.cleaned_data["lng"], "lat": self.cleaned_data["lat"]}


class ReportForm(LocationMixin):
    """居民反映诉求 (phone)."""

    kind = forms.ChoiceField(label="诉求类型", choices=RESIDENT_KINDS, widget=forms.RadioSelect)
    category = CategoryChoiceField(
        label="类别", queryset=Category.objects.filter(is_active=True).exclude(kind=CategoryKind.EVENT)
    )
    description = forms.CharField(label="诉求内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(label=f"照片（最多 {MAX_PHOTOS} 张）")
    reporter_name = forms.CharField(label="您的姓名", max_length=50, required=False)
    reporter_phone = forms.CharField(label="手机号码", max_length=20, required=False)
    anonymous = forms.BooleanField(label="对办理人员隐藏我的姓名", required=False)

    field_order = ["kind", "category", "description", "photos", "building", "lng", "lat"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        if self.user is None:
            self.fields["reporter_name"].required = True
            self.fields["reporter_phone"].required = True
            del self.fields["building"]  # anonymous photos are stored with attachment_add(at_intake=True)
        else:
            del self.fields["reporter_name"]
            del self.fields["reporter_phone"]
            self.fields["building"].queryset = own_buildings(self.user)
            self.fields["building"].empty_label = "不选楼栋（在地图上点选）"
        bootstrapify(self)

    def clean(self):
        cleaned = super().clean()
        category, kind = cleaned.get("category"), cleaned.get("kind")
        if category is not None and kind and category.kind != kind:
            self.add_error("category", "所选类别与诉求类型不一致。")
        if not self.errors:
            self.clean_location(cleaned)
        return cleaned

    def service_data(self) -> dict:
        data = {
            "channel": Channel.RESIDENT,
            "category": self.cleaned_data["category"],
            "description": self.cleaned_data["description"],
            "anonymous": self.cleaned_data.get("anonymous", False),
            **self.location_data(),
        }
        if self.user is None:
            data["reporter_name"] = self.cleaned_data["reporter_name"]
            data["reporter_phone"] = self.cleaned_data["reporter_phone"]
        return data


def own_buildings(user):
    """The resident's own building (through their household); for a Party member, their home's building
    and those of the households they are linked with as a 党员中心户 (党员联户)."""
    member = getattr(user, "party_member", None)
    resident = getattr(user, "resident", None) or (member.resident if member is not None else None)
    household = getattr(resident, "household", None) if resident is not None else None
    q = Q(pk__in=[household.building_id]) if household is not None and household.building_id else Q(pk__in=[])
    if member is not None:
        q |= Q(households__central_households__member=member)
    return Building.objects.filter(q).distinct().order_by("code")


def worker_buildings(user):
    """Buildings of the grids (or community) where the user may record tickets."""
    grants = user.scope.grants_with("tickets.add_ticket")
    if not grants:
        return Building.objects.none()
    q = Q(pk__in=[])
    for g in grants:
        q |= Q(scope_path__startswith=g.area_path)
    return Building.objects.filter(q).select_related("grid").order_by("grid__code", "code")


class PatrolForm(LocationMixin):
    """网格员巡查上报, or 代居民登记 (``on_behalf``: the resident's name and phone; recorded_by = the worker)."""

    category = CategoryChoiceField(label="类别", queryset=Category.objects.filter(is_active=True))
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL)
    description = forms.CharField(label="情况描述", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(label=f"现场照片（最多 {MAX_PHOTOS} 张）")
    reporter_name = forms.CharField(label="居民姓名", max_length=50, required=False)
    reporter_phone = forms.CharField(label="居民电话", max_length=20, required=False)

    def __init__(self, *args, user=None, on_behalf=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.on_behalf = on_behalf
        self.fields["building"].queryset = worker_buildings(user)
        self.fields["building"].label_from_instance = lambda b: f"{b.grid.name} · {b.name}"
        self.fields["building"].empty_label = "不选楼栋（在地图上点选）"
        if on_behalf:
            self.fields["category"].queryset = self.fields["category"].queryset.exclude(kind=CategoryKind.EVENT)
            self.fields["reporter_name"].required = True
            self.fields["reporter_phone"].required = True
        else:
            self.fields["category"].queryset = self.fields["category"].queryset.filter(kind=CategoryKind.EVENT)
            del self.fields["reporter_name"]
            del self.fields["reporter_phone"]
        bootstrapify(self)

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            self.clean_location(cleaned)
        return cleaned

    def service_data(self) -> dict:
        data = {
            "channel": Channel.RESIDENT if self.on_behalf else Channel.PATROL,
            "category": self.cleaned_data["category"],
            "urgency": self.cleaned_data["urgency"],
            "description": self.cleaned_data["description"],
            **self.location_data(),
        }
        if self.on_behalf:
            data["reporter_name"] = self.cleaned_data["reporter_name"]
            data["reporter_phone"] = self.cleaned_data["reporter_phone"]
        return data


STAFF_CHANNELS = [
    (c.value, c.label)
    for c in (Channel.HOTLINE, Channel.VISIT, Channel.OTHER_PLATFORM, Channel.MEMBER_LINK, Channel.PAVILION)
]


class IntakeForm(forms.Form):
    """受理登记 (desktop): 12345 转办 with its ticket number, 来访, other platforms."""

    channel = forms.ChoiceField(label="来源渠道", choices=STAFF_CHANNELS, initial=Channel.HOTLINE)
    external_id = forms.CharField(label="12345 工单号 / 外部编号", max_length=40, required=False)
    category = CategoryChoiceField(label="类别", queryset=Category.objects.filter(is_active=True))
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL)
    title = forms.CharField(label="标题", max_length=100, required=False)
    description = forms.CharField(label="诉求内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    reporter_name = forms.CharField(label="诉求人姓名", max_length=50, required=False)
    reporter_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    grid = forms.ModelChoiceField(label="所在网格", queryset=Area.objects.none(), required=False)
    building = forms.IntegerField(label="楼栋编号（可选）", required=False, min_value=1)
    address = forms.CharField(label="地址", max_length=200, required=False)
    is_historic = forms.BooleanField(label="历史遗留", required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["grid"].queryset = Area.objects.restrict(user).filter(kind=AreaKind.GRID).order_by("code")
        self.fields["grid"].help_text = "选楼栋时自动定位到其网格。"
        bootstrapify(self)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("grid") is None and not cleaned.get("building"):
            self.add_error("grid", "请选择网格或填写楼栋编号。")
        if cleaned.get("channel") == Channel.HOTLINE and not cleaned.get("external_id"):
            self.add_error("external_id", "12345 转办的诉求须填写 12345 工单号。")
        return cleaned

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        if data.get("building"):
            data.pop("grid", None)
            if not Building.objects.restrict(self.user).filter(pk=data["building"]).exists():
                data["building"] = -1  # unknown to this user: the service answers "楼栋不存在"
        return data


# --- transitions -------------------------------------------------------------------------------

#: The fields each transition's small form shows (beyond its required ones, ``comment`` is common).
FIELD_LABELS = {
    "reason": "理由",
    "reply": "答复内容（将告知诉求人）",
    "comment": "说明",
}


def dispatch_targets(ticket: Ticket):
    """Organisations the holder may dispatch to: own or lower territory orgs covering the place, and
    departments / co-building units serving it (the service re-checks every rule)."""
    holder = ticket.handler_org
    orgs = Organisation.objects.filter(is_active=True).select_related("area")
    out = []
    for org in orgs:
        path = org.area.path
        if not ticket.scope_path.startswith(path):
            continue
        if org.is_territory:
            if holder is None or not holder.is_territory or not path.startswith(policy._org_path(holder)):
                continue
        out.append(org)
    return sorted(out, key=lambda o: (o.is_territory is False, -len(o.area.path), o.name))


def escalation_targets(ticket: Ticket):
    holder = ticket.handler_org
    if holder is None:
        return []
    path = policy._org_path(holder)
    prefixes = [path[:i] for i in range(Area.steplen, len(path) + 1, Area.steplen)]
    if holder.is_territory:
        prefixes = prefixes[:-1]
    return list(
        Organisation.objects.filter(area__path__in=prefixes, kind__in=[k.value for k in TERRITORY_ORG_KINDS])
        .select_related("area")
        .order_by("-area__depth")
    )


def whistle_targets(ticket: Ticket):
    return [
        o
        for o in Organisation.objects.filter(kind=OrgKind.DEPARTMENT, is_active=True).select_related("area")
        if ticket.scope_path.startswith(o.area.path)
    ]


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_kind_display()}）"


class ActionForm(forms.Form):
    """The fields of one transition; ``payload()`` is what ``ticket_transition`` receives."""

    def __init__(self, *args, action: str, ticket: Ticket, **kwargs):
        kwargs.setdefault("auto_id", f"id_{action}_%s")  # several action forms share the detail page
        super().__init__(*args, **kwargs)
        self.action = action
        self.ticket = ticket
        t = TRANSITIONS[action]
        needed = set(t.required)
        f = self.fields
        if action == "reject":
            f["reason_code"] = forms.ChoiceField(label="不予受理类别", choices=RejectReason.choices)
        if "reason" in needed:
            f["reason"] = forms.CharField(
                label=FIELD_LABELS["reason"], max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )
        if "reply" in needed:
            label = "处置情况（现场如何处理）" if action == "handle_on_spot" else FIELD_LABELS["reply"]
            f["reply"] = forms.CharField(label=label, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
        if "into" in needed:
            f["into_no"] = forms.CharField(label="并入工单编号", max_length=16)
        if "lead_org" in needed:
            targets = dispatch_targets(ticket)
            ids = [o.pk for o in targets]
            f["lead_org"] = OrgChoiceField(label="牵头单位", queryset=Organisation.objects.filter(pk__in=ids))
            f["co_orgs"] = forms.ModelMultipleChoiceField(
                label="协办单位", queryset=Organisation.objects.filter(pk__in=ids), required=False,
                widget=forms.SelectMultiple(attrs={"size": 4}),
            )  # fmt: skip
            f["sla_days"] = forms.IntegerField(
                label="办理时限（工作日，可选）", min_value=1, max_value=60, required=False
            )
        if "to_org" in needed:
            ids = [o.pk for o in escalation_targets(ticket)]
            # Nearest level first (社区 → 街道 → 区), as ``escalation_targets`` lists them, not by kind's code.
            queryset = Organisation.objects.filter(pk__in=ids).order_by("-area__depth", "name")
            f["to_org"] = OrgChoiceField(label="上报至", queryset=queryset)
        if "department" in needed:
            ids = [o.pk for o in whistle_targets(ticket)]
            f["department"] = OrgChoiceField(label="报到部门", queryset=Organisation.objects.filter(pk__in=ids))
            f["deadline"] = forms.DateTimeField(
                label="报到时限", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
            )
        if "until" in needed:
            f["until"] = forms.DateField(label="延期至", widget=forms.DateInput(attrs={"type": "date"}))
        if "satisfaction" in needed:
            f["satisfaction"] = forms.ChoiceField(label="评价", choices=Satisfaction.choices, widget=forms.RadioSelect)
            f["reasonable"] = forms.BooleanField(label="不满意理由属实合理（发回重办）", required=False, initial=True)
        if "level" in needed:
            f["level"] = forms.TypedChoiceField(label="督办等级", choices=SuperviseLevel.choices, coerce=int)
            f["urgent"] = forms.BooleanField(label="同时加急", required=False)
        if "comment" in needed:
            f["comment"] = forms.CharField(label="内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
        else:
            label = "评价意见（可选）" if action == "callback_rate" else "说明（可选）"
            f["comment"] = forms.CharField(
                label=label, max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        f["photos"] = PhotosField(label="照片（可选）")
        if action == "callback_rate":
            del f["photos"]
        bootstrapify(self)

    @property
    def has_fields(self) -> bool:
        """Whether anything besides the optional comment/photos must be filled (else a one-click button)."""
        return bool(TRANSITIONS[self.action].required)

    def clean_into_no(self):
        number = self.cleaned_data["into_no"].strip()
        return number

    def payload(self) -> dict:
        data = {}
        for name, value in self.cleaned_data.items():
            if name == "photos" or value in (None, "", []):
                continue
            if name == "into_no":
                target = Ticket.objects.filter(ticket_no=value).only("pk").first()
                data["into"] = target.pk if target else -1
            elif name in ("lead_org", "to_org", "department"):
                data[name] = value.pk
            elif name == "co_orgs":
                data[name] = [o.pk for o in value]
            elif name == "reasonable" and self.cleaned_data.get("satisfaction") != Satisfaction.UNSATISFIED:
                continue
            else:
                data[name] = value
        if "reasonable" in self.fields and self.cleaned_data.get("satisfaction") == Satisfaction.UNSATISFIED:
            data["reasonable"] = bool(self.cleaned_data.get("reasonable"))
        return data
