"""Serializers of ``/api/v1/tickets/``. Thin: the services validate; these shape input and output.

The reporter's name and phone leave the server masked unless the caller is the reporter's own account;
who must call back (intake, the handlers of the ticket) reveals them one ticket at a time, with a reason
(``POST /api/v1/tickets/{id}/reveal-contact/``, logged; docs/permissions.md, “Requests”). Attachment ``url``s are the
scoped download (``/api/v1/tickets/{id}/attachments/{att_id}/download/``), never ``/media/``.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from jiceng.api.base import PhoneField
from jiceng.orgs.models import Organisation
from jiceng.tickets import policy, workflow
from jiceng.tickets.choices import Channel, Satisfaction, Urgency
from jiceng.tickets.models import Category, Ticket, TicketAction, TicketAttachment
from jiceng.tickets.selectors import is_overdue
from jiceng.tickets.states import TRANSITIONS


class CategorySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, label="类型代码")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, label="类型名称")

    class Meta:
        model = Category
        fields = ["id", "kind", "kind_display", "name", "service_code", "description", "attributes"]


class OrganisationSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, label="类型代码")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, label="类型名称")

    class Meta:
        model = Organisation
        fields = ["id", "kind", "kind_display", "name", "area"]


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(label="下载地址（需认证，与工单同一管辖范围）")

    class Meta:
        model = TicketAttachment
        fields = ["id", "original_name", "content_type", "size", "url", "action", "created_at"]

    def get_url(self, obj) -> str:
        if not obj.file:
            return ""
        path = reverse("api:ticket-attachment-download", args=[obj.ticket_id, obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class TicketActionSerializer(serializers.ModelSerializer):
    action_display = serializers.SerializerMethodField(label="操作名称")
    org_name = serializers.CharField(source="org.name", read_only=True, default="", label="操作单位")
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)
    from_status_display = serializers.CharField(source="get_from_status_display", read_only=True)
    to_status_display = serializers.CharField(source="get_to_status_display", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = TicketAction
        fields = [
            "id", "action", "action_display", "actor_name", "org_name", "from_status", "from_status_display",
            "to_status", "to_status_display", "comment", "data", "attachments", "created_at",
        ]  # fmt: skip

    def get_action_display(self, obj) -> str:
        extra = {"merged_in": "并入", "auto_supervise": "自动督办", "remind": "临期提醒"}
        transition = TRANSITIONS.get(obj.action)
        return transition.label if transition else extra.get(obj.action, obj.action)


class TicketSerializer(serializers.ModelSerializer):
    """A ticket as a list row. Coded values are plain strings; each has its ``*_display`` label."""

    channel = serializers.CharField(read_only=True, label="来源渠道代码")
    urgency = serializers.CharField(read_only=True, label="紧急程度代码")
    status = serializers.CharField(read_only=True, label="状态代码")
    supervise_level = serializers.IntegerField(read_only=True, label="督办等级（0 无，1 普通，2 黄牌，3 红牌）")
    satisfaction = serializers.CharField(read_only=True, label="满意度代码")

    category_name = serializers.CharField(source="category.name", read_only=True, label="类别")
    category_kind = serializers.CharField(source="category.kind", read_only=True, label="类型")
    channel_display = serializers.CharField(source="get_channel_display", read_only=True, label="来源渠道名称")
    urgency_display = serializers.CharField(source="get_urgency_display", read_only=True, label="紧急程度名称")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    supervise_level_display = serializers.CharField(source="get_supervise_level_display", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True, label="网格")
    handler_org_name = serializers.CharField(source="handler_org.name", read_only=True, default="", label="承办单位")
    lead_org_name = serializers.CharField(source="lead_org.name", read_only=True, default="", label="牵头单位")
    handler_user_name = serializers.SerializerMethodField(label="经办人")
    merged_into_no = serializers.CharField(source="merged_into.ticket_no", read_only=True, default="", label="并入工单")
    reporter_name = serializers.SerializerMethodField(label="诉求人")
    reporter_phone = serializers.SerializerMethodField(label="联系电话")
    due_at = serializers.DateTimeField(read_only=True, label="当前时限")
    overdue = serializers.SerializerMethodField(label="已超期")

    class Meta:
        model = Ticket
        fields = [
            "id", "ticket_no", "channel", "channel_display", "category", "category_name", "category_kind", "urgency",
            "urgency_display", "title", "description", "reporter_name", "reporter_phone", "anonymous", "external_id",
            "grid", "grid_name", "building", "address", "lng", "lat", "status", "status_display", "handler_org",
            "handler_org_name", "handler_user_name", "lead_org", "lead_org_name", "sla_due_at", "extended_until",
            "due_at", "overdue", "supervise_level", "supervise_level_display", "is_urgent", "is_historic",
            "merged_into", "merged_into_no", "reopen_count", "satisfaction", "callback_attempts", "submitted_at",
            "accepted_at", "completed_at", "closed_at",
        ]  # fmt: skip

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_reporter_name(self, obj) -> str:
        if policy.user_sees_reporter_contact(self._user(), obj):
            return obj.reporter_name or ""
        return "匿名" if obj.anonymous else obj.reporter_name_masked

    def get_reporter_phone(self, obj) -> str:
        if policy.user_sees_reporter_contact(self._user(), obj):
            return obj.reporter_phone or ""
        return obj.reporter_phone_masked

    def get_handler_user_name(self, obj) -> str:
        return str(obj.handler_user) if obj.handler_user_id else ""

    def get_overdue(self, obj) -> bool:
        return is_overdue(obj, self.context.get("now"))


class TicketDetailSerializer(TicketSerializer):
    """One ticket: everything of the row, what the caller may do now, and the whole history."""

    allowed_actions = serializers.SerializerMethodField(label="当前可执行的操作")
    events = serializers.SerializerMethodField(label="流转记录")
    attachments = AttachmentSerializer(many=True, read_only=True)
    co_orgs = OrganisationSerializer(many=True, read_only=True)
    dispatcher_org_name = serializers.CharField(source="dispatcher_org.name", read_only=True, default="")
    whistle_org_name = serializers.CharField(source="whistle_org.name", read_only=True, default="")

    class Meta(TicketSerializer.Meta):
        fields = [
            *TicketSerializer.Meta.fields, "reply", "co_orgs", "dispatcher_org", "dispatcher_org_name",
            "whistle_org", "whistle_org_name", "whistle_deadline", "whistle_reported_at", "dispatch_due_at",
            "extension_pending", "extension_requested_until", "suspend_pending", "satisfaction_comment",
            "yellow_card_at", "red_card_at", "rated_at", "allowed_actions", "attachments", "events",
        ]  # fmt: skip

    def get_allowed_actions(self, obj) -> list[dict]:
        return [
            {"action": a, "label": TRANSITIONS[a].label, "required": list(TRANSITIONS[a].required)}
            for a in workflow.allowed_actions(self._user(), obj)
        ]

    def get_events(self, obj) -> list[dict]:
        from jiceng.tickets.selectors import ticket_events

        return TicketActionSerializer(ticket_events(obj), many=True, context=self.context).data


class TicketCreateSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/tickets/`` (location: ``building``, or ``lng`` + ``lat``, or ``grid``)."""

    channel = serializers.ChoiceField(Channel.choices, required=False, label="来源渠道")
    category = serializers.IntegerField(label="类别")
    urgency = serializers.ChoiceField(Urgency.choices, required=False, label="紧急程度")
    title = serializers.CharField(required=False, allow_blank=True, max_length=100, label="标题")
    description = serializers.CharField(
        max_length=4000, label="诉求内容", validators=[RegexValidator(r"\S", "诉求内容不能只有空白。")]
    )
    reporter_name = serializers.CharField(required=False, allow_blank=True, max_length=50, label="诉求人姓名")
    reporter_phone = PhoneField(required=False, allow_blank=True, max_length=20, label="联系电话")
    anonymous = serializers.BooleanField(required=False, default=False, label="匿名")
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=40, label="12345 工单号")
    grid = serializers.IntegerField(required=False, label="网格")
    building = serializers.IntegerField(required=False, label="楼栋")
    address = serializers.CharField(required=False, allow_blank=True, max_length=200, label="地址")
    lng = serializers.FloatField(required=False, label="经度")
    lat = serializers.FloatField(required=False, label="纬度")
    is_urgent = serializers.BooleanField(required=False, default=False, label="加急")


class RevealContactSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/tickets/{id}/reveal-contact/``."""

    reason = serializers.CharField(
        min_length=4, max_length=200, label="查看理由",
        error_messages={"required": "请填写查看理由（至少 4 个字）。", "blank": "请填写查看理由（至少 4 个字）。",
                        "min_length": "请填写查看理由（至少 4 个字）。", "max_length": "查看理由不能超过 200 字。"},
    )  # fmt: skip


class OptionalBoolean(serializers.BooleanField):
    """A boolean that stays absent when a form omits it (DRF would read an absent checkbox as False)."""

    default_empty_html = serializers.empty


class TransitionSerializer(serializers.Serializer):
    """``{"action": ..., ...payload}``; the payload keys depend on the action (see ``allowed_actions``)."""

    action = serializers.ChoiceField(choices=sorted(TRANSITIONS), label="操作")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, label="说明")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, label="理由")
    reason_code = serializers.CharField(required=False, label="理由类别")
    reply = serializers.CharField(required=False, allow_blank=True, max_length=4000, label="答复内容")
    into = serializers.IntegerField(required=False, label="并入工单")
    lead_org = serializers.IntegerField(required=False, label="牵头单位")
    co_orgs = serializers.ListField(child=serializers.IntegerField(), required=False, label="协办单位")
    handler_user = serializers.IntegerField(required=False, label="经办人")
    sla_days = serializers.IntegerField(required=False, label="办理时限（工作日）")
    to_org = serializers.IntegerField(required=False, label="上报单位")
    department = serializers.IntegerField(required=False, label="报到部门")
    deadline = serializers.DateTimeField(required=False, label="报到时限")
    until = serializers.DateTimeField(required=False, label="延期至")
    satisfaction = serializers.ChoiceField(Satisfaction.choices, required=False, label="满意度")
    reasonable = OptionalBoolean(required=False, label="不满意属实合理")
    level = serializers.IntegerField(
        required=False, min_value=0, max_value=3, label="督办等级", help_text="0 取消，1 普通，2 黄牌，3 红牌"
    )
    urgent = OptionalBoolean(required=False, label="加急")
    attachments = serializers.ListField(child=serializers.IntegerField(), required=False, label="附件")


class StatsQuerySerializer(serializers.Serializer):
    node = serializers.IntegerField(required=False, label="辖区节点")
    date_from = serializers.DateField(required=False, label="起始日期")
    date_to = serializers.DateField(required=False, label="截止日期")

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": "截止日期不能早于起始日期。"})
        return attrs


def now_context(request) -> dict:
    return {"request": request, "now": timezone.now()}
