"""``/api/v1/imports/``: submit a roster file, then poll its report. Only the owner sees a job."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.api.base import ApiAccess
from jiceng.api.registry import register_urls
from jiceng.core.jobs import JobStatus

from . import services
from .choices import ImportMode, OnExisting
from .importers import KIND_CHOICES
from .models import ImportJob


class ImportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(label="导入类型", choices=KIND_CHOICES)
    file = serializers.FileField(label="文件", help_text=".xlsx、.xls、.xlsb、.ods 或 .csv（UTF-8 / GBK）")
    dry_run = serializers.BooleanField(label="仅校验", required=False, default=False)
    mode = serializers.ChoiceField(
        label="导入方式", choices=ImportMode.choices, required=False, default=ImportMode.ALL_OR_NOTHING
    )
    on_existing = serializers.ChoiceField(
        label="已登记的记录", choices=OnExisting.choices, required=False, default=OnExisting.UPDATE
    )


class IssueSerializer(serializers.Serializer):
    row = serializers.IntegerField(label="Excel 行号")
    column = serializers.CharField(label="列")
    value = serializers.CharField(label="单元格内容")
    message = serializers.CharField(label="说明")


class ImportReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    mode = serializers.CharField()
    dry_run = serializers.BooleanField()
    status = serializers.ChoiceField(choices=JobStatus.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    total_rows = serializers.IntegerField()
    accepted_rows = serializers.IntegerField()
    rejected_rows = serializers.IntegerField()
    created_rows = serializers.IntegerField()
    updated_rows = serializers.IntegerField()
    skipped_rows = serializers.IntegerField()
    applied = serializers.BooleanField()
    committed_through_row = serializers.IntegerField()
    message = serializers.CharField()
    warnings = IssueSerializer(many=True)
    errors = IssueSerializer(many=True)


class ImportCreateView(APIView):
    """提交导入文件。"""

    permission_classes = [ApiAccess]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="imports_create",
        summary="提交导入文件",
        request={"multipart/form-data": ImportRequestSerializer},
        responses={201: inline_serializer("ImportCreated", {"id": serializers.IntegerField()})},
        tags=["imports"],
    )
    def post(self, request):
        form = ImportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            job = services.import_job_create(
                actor=request.user, kind=data["kind"], upload=data["file"], dry_run=data["dry_run"],
                mode=data["mode"], on_existing=data["on_existing"],
            )  # fmt: skip
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        except PermissionDenied as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
        return Response({"id": job.pk}, status=status.HTTP_201_CREATED)


class ImportDetailView(APIView):
    """导入任务的进度与逐行报告。"""

    permission_classes = [ApiAccess]

    @extend_schema(operation_id="imports_retrieve", summary="导入任务进度与报告", responses=ImportReportSerializer,
                   tags=["imports"])  # fmt: skip
    def get(self, request, pk: int):
        job = get_object_or_404(ImportJob, pk=pk, owner=request.user)
        return Response(services.job_report(job))


urlpatterns = [
    path("imports/", ImportCreateView.as_view(), name="import_create"),
    path("imports/<int:pk>/", ImportDetailView.as_view(), name="import_detail"),
]

register_urls(*urlpatterns)
