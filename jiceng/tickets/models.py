"""诉求 / 事件 / 工单: the closed loop — intake, routing, handling, verification, rating.

Only ``services.ticket_transition`` changes ``Ticket.status``; every change is a ``TicketAction`` row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from jiceng.core.crypto import EncryptedCharField
from jiceng.core.masking import mask_name, mask_phone
from jiceng.core.scoping import ScopedModel
from jiceng.orgs.models import Organisation

from .choices import (
    CategoryKind,
    Channel,
    Satisfaction,
    Status,
    SuperviseLevel,
    Urgency,
)


class Category(models.Model):
    """诉求类别 / 事件分类: one of the five appeal types, or a 巡查 event class (GB/T 30428 事件大类).

    ``service_code`` and ``attributes`` are what the Open311 facade publishes as the service list and
    its service definitions (attributes follow GeoReport v2: variable, code, datatype, required,
    description, order, values).
    """

    kind = models.CharField("类型", max_length=16, choices=CategoryKind.choices)
    name = models.CharField("名称", max_length=50)
    parent = models.ForeignKey(
        "self", verbose_name="上级类别", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    service_code = models.CharField("服务代码（Open311）", max_length=20, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    keywords = models.CharField("关键词", max_length=200, blank=True)
    attributes = models.JSONField("附加属性（Open311 元数据）", default=list, blank=True)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "诉求类别"
        verbose_name_plural = "诉求类别"
        ordering = ["sort_order", "service_code"]

    def __str__(self):
        return self.name


class SlaRule(models.Model):
    """Time limits per category kind × urgency (defaults of the Anhui 12345 hotline; editable).

    ``dispatch_hours`` are clock hours (the hotline runs 7×24); ``feedback_workdays`` are counted on the
    working-day calendar (``jiceng.core.workdays``). A rule with an empty ``category`` applies to every
    category of its ``kind`` unless a more specific rule exists.
    """

    kind = models.CharField("类型", max_length=16, choices=CategoryKind.choices)
    category = models.ForeignKey(
        Category, verbose_name="具体类别", null=True, blank=True, on_delete=models.CASCADE, related_name="sla_rules"
    )
    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices)
    dispatch_hours = models.PositiveSmallIntegerField("派单时限（小时）")
    feedback_workdays = models.PositiveSmallIntegerField("办结时限（工作日）")

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        constraints = [
            models.UniqueConstraint(fields=["kind", "category", "urgency"], name="uniq_sla_rule"),
            models.UniqueConstraint(
                fields=["kind", "urgency"], condition=Q(category__isnull=True), name="uniq_sla_rule_kind"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}·{self.get_urgency_display()}"


class TicketSequence(models.Model):
    """The last serial used for a day's ticket numbers (``YYYYMMDD`` + 4 digits), taken under a row lock."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "工单流水号"
        verbose_name_plural = "工单流水号"


class Ticket(ScopedModel):
    """诉求 / 事件 (工单): what a resident asks or a grid worker finds, until it is rated and archived.

    ``scope_path`` is the path of the grid it lies in (the place, not the handler): the grid, community,
    street and district above it see it; a department or co-building unit sees it only while it holds
    it (``personal_scope_q``), and the reporter sees their own.
    """

    ticket_no = models.CharField("工单编号", max_length=16, unique=True, editable=False)
    channel = models.CharField("来源渠道", max_length=16, choices=Channel.choices)
    category = models.ForeignKey(Category, verbose_name="类别", on_delete=models.PROTECT, related_name="tickets")
    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    title = models.CharField("标题", max_length=100, blank=True)
    description = models.TextField("诉求内容", max_length=4000)
    # Reporter (诉求人): encrypted at rest, masked for handlers outside the intake role.
    reporter_name = EncryptedCharField("诉求人姓名", blank=True)
    reporter_phone = EncryptedCharField("联系电话", blank=True)
    reporter_phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="诉求人账号", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="reported_tickets",
    )  # fmt: skip
    anonymous = models.BooleanField("匿名", default=False)
    # The keyed hash of the follow-up code a visitor without an account got on submission (凭编号查询);
    # empty for every other ticket, which therefore cannot be followed, withdrawn or rated by code.
    followup_code_hash = models.CharField("查询码摘要", max_length=64, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="recorded_tickets",
    )  # fmt: skip
    external_id = models.CharField("外部编号（12345 工单号）", max_length=40, blank=True, db_index=True)
    # Location
    grid = models.ForeignKey(
        "territory.Area", verbose_name="所在网格", on_delete=models.PROTECT, related_name="tickets"
    )
    building = models.ForeignKey(
        "territory.Building", verbose_name="楼栋", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="tickets",
    )  # fmt: skip
    address = models.CharField("地址", max_length=200, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    # Handling
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    handler_org = models.ForeignKey(
        Organisation, verbose_name="当前承办单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handler_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="当前经办人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="handling_tickets",
    )  # fmt: skip
    dispatcher_org = models.ForeignKey(
        Organisation, verbose_name="派单单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="退单时工单回到此单位重新派单（改派）。",
    )  # fmt: skip
    lead_org = models.ForeignKey(
        Organisation, verbose_name="牵头单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    co_orgs = models.ManyToManyField(Organisation, verbose_name="协办单位", blank=True, related_name="co_tickets")
    reply = models.TextField("答复内容", blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="办结人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    # 吹哨报到
    whistle_org = models.ForeignKey(
        Organisation, verbose_name="吹哨报到部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    whistle_deadline = models.DateTimeField("报到时限", null=True, blank=True)
    whistle_reported_at = models.DateTimeField("报到时间", null=True, blank=True)
    # Time limits
    dispatch_due_at = models.DateTimeField("派单时限", null=True, blank=True)
    sla_due_at = models.DateTimeField("办结时限", null=True, blank=True, db_index=True)
    extended_until = models.DateTimeField("延期至", null=True, blank=True)
    extension_pending = models.BooleanField("延期待审批", default=False)
    extension_requested_until = models.DateTimeField("申请延期至", null=True, blank=True)
    suspend_pending = models.BooleanField("挂账待审批", default=False)
    suspended_at = models.DateTimeField("挂账时间", null=True, blank=True)
    reminded_at = models.DateTimeField("临期提醒时间", null=True, blank=True)
    # Supervision and flags
    supervise_level = models.PositiveSmallIntegerField(
        "督办等级", choices=SuperviseLevel.choices, default=SuperviseLevel.NONE
    )
    yellow_card_at = models.DateTimeField("黄牌时间", null=True, blank=True)
    red_card_at = models.DateTimeField("红牌时间", null=True, blank=True)
    is_urgent = models.BooleanField("加急", default=False)
    is_historic = models.BooleanField("历史遗留", default=False)
    merged_into = models.ForeignKey(
        "self", verbose_name="并入工单", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_tickets"
    )
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    # Callback (回访) and rating
    satisfaction = models.CharField("满意度", max_length=16, choices=Satisfaction.choices, blank=True)
    satisfaction_comment = models.CharField("评价意见", max_length=500, blank=True)
    callback_attempts = models.PositiveSmallIntegerField("回访未接通次数", default=0)
    # Milestones (for the 三率 and average times)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True, db_index=True)
    responded_at = models.DateTimeField("响应时间", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)

    class Meta:
        verbose_name = "诉求工单"
        verbose_name_plural = "诉求工单"
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["scope_path", "status"], name="ticket_scope_status_idx"),
            models.Index(fields=["grid", "category", "status"], name="ticket_dup_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False), name="ticket_merged_has_target"
            ),
            models.CheckConstraint(condition=~Q(merged_into=models.F("pk")), name="ticket_not_merged_into_self"),
        ]

    def __str__(self):
        return f"{self.ticket_no} {self.title or self.description[:20]}"

    def get_absolute_url(self):
        return reverse("tickets:detail", args=[self.pk])

    #: Labels of the access log's ``field`` values that are not model fields (``tickets.services.REVEAL_FIELD``).
    access_log_fields = {"reporter_contact": "诉求人联系方式"}

    @property
    def access_log_label(self) -> str:
        """The access log's 对象: the ticket's number (its text may name people)."""
        return f"工单 {self.ticket_no}"

    @classmethod
    def personal_scope_q(cls, scope, action):
        """A reporter sees (and may withdraw / rate) their own tickets; a department or unit member
        sees the tickets their organisation currently holds, leads, co-handles or was whistled for."""
        if action not in ("view", "change"):
            return None
        orgs = Organisation.objects.filter(members=scope.user_id).values("pk")
        co = cls.co_orgs.through.objects.filter(organisation_id__in=orgs).values("ticket_id")
        return (
            Q(reporter_user_id=scope.user_id)
            | Q(handler_org__in=orgs)
            | Q(lead_org__in=orgs)
            | Q(whistle_org__in=orgs)
            | Q(pk__in=co)
        )

    @property
    def due_at(self):
        """The deadline in force: the approved extension, else the SLA due time."""
        return self.extended_until or self.sla_due_at

    @property
    def reporter_phone_masked(self) -> str:
        return mask_phone(self.reporter_phone)

    @property
    def reporter_name_masked(self) -> str:
        return mask_name(self.reporter_name)


class TicketAction(models.Model):
    """One event of a ticket's history (流转记录): who did what, from which state to which, and why.

    Append-only; written by ``ticket_transition`` (and by the overdue job with no actor).
    """

    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="actions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    actor_name = models.CharField("操作人名称", max_length=100, blank=True, help_text="系统任务为“系统”。")
    org = models.ForeignKey(
        Organisation, verbose_name="操作单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField("操作", max_length=32)
    from_status = models.CharField("原状态", max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=Status.choices)
    comment = models.TextField("意见 / 说明", blank=True)
    data = models.JSONField("参数", default=dict, blank=True)
    # A default rather than auto_now_add, so that imported and demo history keeps its real times.
    created_at = models.DateTimeField("时间", default=timezone.now, editable=False, db_index=True)

    class Meta:
        verbose_name = "工单流转记录"
        verbose_name_plural = "工单流转记录"
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.ticket_id} {self.action}"


def attachment_path(instance, filename):
    return f"tickets/{instance.ticket.submitted_at or instance.ticket.created_at:%Y/%m}/{instance.ticket.ticket_no}/{filename}"


class TicketAttachment(models.Model):
    """A photo of the problem or of the result, stored under MEDIA_ROOT (type and size checked on upload)."""

    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="attachments")
    action = models.ForeignKey(
        TicketAction, verbose_name="所属流转记录", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="attachments",
    )  # fmt: skip
    file = models.FileField("文件", upload_to=attachment_path, max_length=255)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "工单附件"
        verbose_name_plural = "工单附件"
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.original_name or self.file.name
