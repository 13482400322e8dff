"""``/api/v1/notifications/``: the caller's own notices (any target), and marking them read."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.api.base import ApiAccess
from jiceng.api.registry import router

from .models import Notice
from .selectors import notices_for, target_labels
from .services import notices_mark_read


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(
        read_only=True, label="类型（todo 待办、progress 进展、reminder 临期、supervise 督办）"
    )
    target_type = serializers.SerializerMethodField(label="对象类型（如 tickets.ticket）")
    target_label = serializers.SerializerMethodField(label="对象名称或编号")
    ticket = serializers.SerializerMethodField(label="工单（对象为工单时）")
    ticket_no = serializers.SerializerMethodField(label="工单编号（对象为工单时）")

    class Meta:
        model = Notice
        fields = ["id", "kind", "text", "target_type", "target_id", "target_url", "target_label",
                  "ticket", "ticket_no", "created_at", "read_at"]  # fmt: skip

    def _label(self, notice) -> tuple[str, str | None]:
        return self.context.get("labels", {}).get(notice.pk, ("", None))

    def get_target_type(self, notice) -> str:
        if notice.target_type_id is None:
            return ""
        ct = ContentType.objects.get_for_id(notice.target_type_id)  # cached
        return f"{ct.app_label}.{ct.model}"

    def get_target_label(self, notice) -> str:
        return self._label(notice)[0]

    def get_ticket(self, notice) -> int | None:
        return notice.target_id if self._label(notice)[1] == "ticket" else None

    def get_ticket_no(self, notice) -> str:
        label, alias = self._label(notice)
        return label if alias == "ticket" else ""


class NotificationReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        label="通知编号",
        help_text="要标为已读的通知编号；不提供则全部标为已读。",
    )


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """本人的站内通知；``?unread=1`` 只看未读；``POST read/`` 标为已读；他人的通知一律 404。"""

    permission_classes = [ApiAccess]
    serializer_class = NotificationSerializer
    queryset = Notice.objects.none()  # the real one is the caller's own (get_queryset)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notice.objects.none()
        return notices_for(self.request.user, unread=self.request.query_params.get("unread") in {"1", "true"})

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._labels = target_labels(page if page is not None else list(queryset))
        return page

    def retrieve(self, request, *args, **kwargs):
        notice = self.get_object()  # among the caller's own: another user's notice is a 404
        self._labels = target_labels([notice])
        return Response(self.get_serializer(notice).data)

    def get_serializer_context(self):
        return super().get_serializer_context() | {"labels": getattr(self, "_labels", {})}

    @extend_schema(
        request=NotificationReadSerializer,
        responses={200: inline_serializer("NotificationReadResult", {"updated": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], url_path="read")
    def read(self, request):
        form = NotificationReadSerializer(data=request.data)
        form.is_valid(raise_exception=True)  # a body that is no object, ids that are no list of ids: 400
        return Response({"updated": notices_mark_read(actor=request.user, ids=form.validated_data.get("ids"))})


router.register("notifications", NotificationViewSet, basename="notification")
