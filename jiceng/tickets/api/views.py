"""``/api/v1/tickets/`` and friends: list / detail / create, transitions, attachments, duplicates, stats.

Every read starts from ``restrict(user, "view")`` (the base viewset), so a ticket outside the caller's
subtree answers 404 exactly like a missing one. Every write goes through ``jiceng.tickets.services``;
``Conflict`` becomes HTTP 409, ``PermissionDenied`` 403, ``ValidationError`` 400 — all in Chinese.
"""

from __future__ import annotations

import json
import os

from django.db.models import Q
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.api.base import ApiAccess, ScopedReadOnlyViewSet
from jiceng.core.errors import Conflict
from jiceng.core.scoping import get_scoped_object_or_404
from jiceng.orgs.models import Organisation
from jiceng.territory.models import Area
from jiceng.tickets import selectors, services
from jiceng.tickets.models import Category, Ticket

from .filters import TicketFilterSet
from .serializers import (
    AttachmentSerializer,
    CategorySerializer,
    OrganisationSerializer,
    RevealContactSerializer,
    StatsQuerySerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketSerializer,
    TransitionSerializer,
    now_context,
)

ERROR = inline_serializer("TicketErrorDetail", {"detail": serializers.CharField()})
CONTACT = inline_serializer(
    "TicketReporterContact", {"reporter_name": serializers.CharField(), "reporter_phone": serializers.CharField()}
)


class FileRenderer(renderers.BaseRenderer):
    """Lets a download be asked for as ``Accept: application/octet-stream`` (its errors stay JSON text)."""

    media_type = "application/octet-stream"
    format = "file"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return b"" if data is None else json.dumps(data, ensure_ascii=False).encode()


class TicketViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """诉求工单：按管辖范围过滤；详情含当前可执行的操作（allowed_actions）和流转记录（events）。"""

    queryset = Ticket.objects.select_related(
        "category", "grid", "handler_org", "lead_org", "handler_user", "merged_into"
    )
    serializer_class = TicketSerializer
    filterset_class = TicketFilterSet
    ordering_fields = ["submitted_at", "sla_due_at", "ticket_no", "supervise_level", "id"]
    ordering = ["-submitted_at", "-id"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            qs = qs.select_related("dispatcher_org__area", "whistle_org__area", "handler_org__area", "lead_org__area")
            qs = qs.prefetch_related("attachments", "co_orgs")
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return TicketDetailSerializer
        if self.action == "create":
            return TicketCreateSerializer
        return TicketSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context.update(now_context(self.request))
        return context

    def _detail_data(self, ticket: Ticket, **extra):
        fresh = self.get_queryset().filter(pk=ticket.pk).first() or ticket
        data = TicketDetailSerializer(fresh, context=self.get_serializer_context()).data
        data.update(extra)
        return data

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketDetailSerializer, 400: ERROR, 403: ERROR})
    def create(self, request, *args, **kwargs):
        serializer = TicketCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.ticket_create(actor=request.user, **serializer.validated_data)
        return Response(self._detail_data(result.obj, warnings=result.warnings), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=TransitionSerializer,
        responses={
            200: TicketDetailSerializer,
            400: ERROR,
            403: ERROR,
            404: ERROR,
            409: OpenApiResponse(ERROR, description="当前状态不允许此操作（可能已被他人处理）。"),
        },
    )
    @action(detail=True, methods=["post"], url_path="transitions")
    def transitions(self, request, pk=None):
        """执行一个流转操作：``{"action": "accept"}``、``{"action": "dispatch", "lead_org": 12}`` ……"""
        ticket = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Only what the caller sent: a form post makes absent list fields empty lists, which are not
        # parameters of most actions.
        payload = {k: v for k, v in serializer.validated_data.items() if k in request.data}
        name = payload.pop("action")
        try:
            ticket = services.ticket_transition(actor=request.user, ticket=ticket, action=name, **payload)
        except Conflict as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(self._detail_data(ticket))

    @extend_schema(
        request={"multipart/form-data": inline_serializer("TicketUpload", {"file": serializers.FileField()})},
        responses={201: AttachmentSerializer, 400: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"], url_path="attachments", parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        """上传一张图片（JPEG/PNG/GIF/WebP，≤10 MB）；之后在流转操作中以 ``attachments=[id]`` 关联。"""
        ticket = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": ["请选择要上传的图片。"]}, status=status.HTTP_400_BAD_REQUEST)
        attachment = services.attachment_add(actor=request.user, ticket=ticket, file=upload)
        data = AttachmentSerializer(attachment, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ERROR},
        description="下载工单的一个附件（与工单同一管辖范围；不是本工单的附件回答 404）。",
    )
    @action(
        detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>[0-9]+)/download",
        url_name="attachment-download", renderer_classes=[renderers.JSONRenderer, FileRenderer],
    )  # fmt: skip
    def attachment_download(self, request, pk=None, attachment_id=None):
        """下载附件：以附件方式返回文件（Content-Disposition 带原文件名）。"""
        ticket = self.get_object()
        item = selectors.attachments_visible_to(request.user, ticket).filter(pk=attachment_id).first()
        if item is None or not item.file:
            raise NotFound("未找到附件。")
        try:
            handle = item.file.open("rb")
        except FileNotFoundError:
            raise NotFound("附件文件不存在。") from None
        name = item.original_name or os.path.basename(item.file.name)
        response = FileResponse(handle, as_attachment=True, filename=name, content_type=item.content_type)
        response["Cache-Control"] = "private, max-age=3600"
        return response

    @extend_schema(
        request=RevealContactSerializer,
        responses={200: CONTACT, 400: ERROR, 403: ERROR, 404: ERROR},
        description="查看一个工单诉求人的完整姓名和电话（受理人员、承办该工单的人员），须填写理由，每次查看均记录。",
    )
    @action(detail=True, methods=["post"], url_path="reveal-contact")
    def reveal_contact(self, request, pk=None):
        """查看诉求人联系方式（须填写理由，记入个人信息查看记录和审计日志）。"""
        ticket = self.get_object()
        serializer = RevealContactSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = services.ticket_reveal_contact(
            actor=request.user, ticket=ticket, reason=serializer.validated_data["reason"]
        )
        response = Response(contact)
        response["Cache-Control"] = "no-store"  # a revealed contact must not sit in a shared cache
        return response

    @extend_schema(responses={200: TicketSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="duplicates")
    def duplicates(self, request, pk=None):
        """疑似重复的诉求（同网格、同类别、未办结、7 天内、100 米内），可用于并单。"""
        ticket = self.get_object()
        found = selectors.suggest_duplicates(ticket, user=request.user)
        data = TicketSerializer(found, many=True, context=self.get_serializer_context()).data
        for row, obj in zip(data, found, strict=True):
            row["distance_m"] = obj.distance_m
        return Response(data)


class TicketStatsView(APIView):
    """某一辖区节点的诉求统计：在办、超期、临期、分类、渠道、三率、平均用时、周趋势（定义见 ``ticket_stats``）。"""

    permission_classes = [ApiAccess]

    @extend_schema(
        parameters=[StatsQuerySerializer],
        responses={200: inline_serializer("TicketStats", {"open": serializers.IntegerField()}), 404: ERROR},
    )
    def get(self, request):
        query = StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        node = None
        if query.validated_data.get("node"):
            node = get_scoped_object_or_404(Area, request.user, "view", pk=query.validated_data["node"])
        data = selectors.ticket_stats(
            request.user,
            node,
            date_from=query.validated_data.get("date_from"),
            date_to=query.validated_data.get("date_to"),
        )
        data["node"] = {"id": node.pk, "name": node.name, "kind": node.kind} if node else None
        return Response(data)


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """诉求类别（含 Open311 服务代码与附加属性）。"""

    permission_classes = [ApiAccess]
    queryset = Category.objects.filter(is_active=True)
    serializer_class = CategorySerializer
    pagination_class = None


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """可派单的承办单位：本人管辖范围内的街道、社区、网格，以及职能部门和共建单位。"""

    permission_classes = [ApiAccess]
    serializer_class = OrganisationSerializer
    queryset = Organisation.objects.none()  # the real one depends on the caller (get_queryset)
    filterset_fields = ["kind"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Organisation.objects.none()
        grants = self.request.user.scope.grants_with("tickets.change_ticket")
        own = Q(pk__in=[])
        for grant in grants:
            own |= Q(area__path__startswith=grant.area_path)
        territory = Q(kind__in=["grid", "community", "street", "district"])
        return (
            Organisation.objects.filter(is_active=True)
            .filter((territory & own) | ~territory)
            .select_related("area")
            .order_by("kind", "name")
        )
