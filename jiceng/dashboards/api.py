"""``GET /api/v1/stats/``: the home page's numbers, from the same selector as the home page."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.api.base import ApiAccess
from jiceng.api.registry import register_urls
from jiceng.core.scoping import get_scoped_object_or_404
from jiceng.dashboards.selectors import node_stats, stat_keys, stat_labels
from jiceng.territory.models import Area


def stats_serializer():
    """The schema of the figures registered when the schema is built (the URLconf loads after every
    app's ``ready()``, so apps' figures are in)."""
    labels = stat_labels()
    return inline_serializer("Stats", {key: serializers.IntegerField(label=labels[key]) for key in stat_keys()})


class StatsView(APIView):
    """调用者所辖节点（或其中一个节点）的概况数字，与首页一致。"""

    permission_classes = [ApiAccess]

    @extend_schema(
        operation_id="stats_retrieve",
        summary="概况数字",
        parameters=[
            OpenApiParameter(
                "node", OpenApiTypes.INT, description="辖区节点 id（须在管辖范围内），缺省为调用者的全部管辖范围"
            )
        ],
        responses={200: stats_serializer()},
        tags=["stats"],
    )
    def get(self, request):
        node = None
        if "node" in request.query_params:
            areas = Area.objects.only("id", "path", "kind")  # what node_stats reads; no grid polygon to parse
            node = get_scoped_object_or_404(areas, request.user, "view", pk=request.query_params["node"])
        return Response(node_stats(request.user, node))


register_urls(path("stats/", StatsView.as_view(), name="stats"))
