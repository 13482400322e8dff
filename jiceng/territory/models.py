"""The territory tree: 区 → 街道 → 社区 → 网格 / 小区, with 楼栋 and 户 hanging from grids."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from jiceng.core.scoping import LoadedPathMixin, ScopedModel, ScopedQuerySet

from .choices import AreaKind, BuildingUsage, DwellingUsage, GridType, HukouType, TownKind, UrbanRural


class AreaQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    pass


class AreaManager(MP_NodeManager.from_queryset(AreaQuerySet)):
    def get_queryset(self):
        return AreaQuerySet(self.model).order_by("path")


class Area(LoadedPathMixin, MP_Node):
    """A node of the territory (辖区) tree: district, street, community, grid (网格) or quarter (小区).

    The materialised ``path`` is also every scoped row's ``scope_path`` prefix: a grant on a node
    covers everything whose path starts with the node's path.
    """

    steplen = 4  # new children are appended, so existing paths (copied into scope_path) never shift

    kind = models.CharField("层级", max_length=16, choices=AreaKind.choices, db_index=True)
    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    code_is_example = models.BooleanField("代码为示例", default=False, help_text="未经核实的代码标为“示例”。")
    town_kind = models.CharField("乡级类型", max_length=8, choices=TownKind.choices, blank=True)
    urban_rural_code = models.CharField("城乡分类代码", max_length=3, choices=UrbanRural.choices, blank=True)
    # Grid-specific
    grid_type = models.CharField("网格类型", max_length=16, choices=GridType.choices, blank=True)
    brand_name = models.CharField("网格品牌", max_length=50, blank=True, help_text="如“一格一姐”。")
    boundary = models.JSONField("边界（GeoJSON）", null=True, blank=True)
    min_lng = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lng = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    # Quarter-specific
    address = models.CharField("地址", max_length=200, blank=True)
    has_service_station = models.BooleanField("有小区党群服务站", default=False)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = AreaManager()

    scope_path_field = "path"
    scope_quarter_lookup = "pk"
    #: ``str()`` of an area is this one column (``FastSelect`` reads choices as values).
    choice_label_field = "name"

    class Meta:
        verbose_name = "辖区节点"
        verbose_name_plural = "辖区节点"
        indexes = [
            models.Index(fields=["kind", "path"]),
            models.Index(fields=["min_lng", "max_lng", "min_lat", "max_lat"], name="area_bbox_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("territory:area_detail", args=[self.pk])

    @classmethod
    def personal_scope_q(cls, scope, action):
        if action == "view" and scope.report_community_id:
            return Q(pk=scope.report_community_id)
        return None

    @classmethod
    def ancestor_paths(cls, path: str) -> list[str]:
        """The paths from the root down to ``path`` (itself included)."""
        return [path[: i * cls.steplen] for i in range(1, len(path) // cls.steplen + 1)]

    def ancestors_and_self(self):
        """Ancestors from the root down, then this node (one query by path prefixes)."""
        return Area.objects.filter(path__in=self.ancestor_paths(self.path)).order_by("depth")


class StreetManager(AreaManager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=AreaKind.STREET)


class CommunityManager(AreaManager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=AreaKind.COMMUNITY)


class GridManager(AreaManager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=AreaKind.GRID)


class QuarterManager(AreaManager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=AreaKind.QUARTER)


class Street(Area):
    """街道 (a node of kind street)."""

    objects = StreetManager()

    class Meta:
        proxy = True
        verbose_name = "街道"
        verbose_name_plural = "街道"


class Community(Area):
    """社区 (a node of kind community)."""

    objects = CommunityManager()

    class Meta:
        proxy = True
        verbose_name = "社区"
        verbose_name_plural = "社区"


class Grid(Area):
    """网格: belongs to exactly one community; code = community code + serial."""

    objects = GridManager()

    class Meta:
        proxy = True
        verbose_name = "网格"
        verbose_name_plural = "网格"


class Quarter(Area):
    """小区 (residential quarter) under a community."""

    objects = QuarterManager()

    class Meta:
        proxy = True
        verbose_name = "小区"
        verbose_name_plural = "小区"


class Building(ScopedModel):
    """楼栋: lies in exactly one grid and at most one quarter."""

    grid = models.ForeignKey(Area, verbose_name="所属网格", on_delete=models.PROTECT, related_name="buildings")
    quarter = models.ForeignKey(
        Area, verbose_name="所属小区", null=True, blank=True, on_delete=models.PROTECT, related_name="quarter_buildings"
    )
    number = models.CharField("楼栋号", max_length=20, help_text="网格内的楼栋号，如 3 或 3栋。")
    code = models.CharField("楼栋编码", max_length=30, unique=True, help_text="社区代码 + 5 位序号。")
    name = models.CharField("名称", max_length=100)
    floors = models.PositiveSmallIntegerField("层数", null=True, blank=True)
    units = models.PositiveSmallIntegerField("单元数", null=True, blank=True)
    usage = models.CharField("用途", max_length=16, choices=BuildingUsage.choices, default=BuildingUsage.RESIDENTIAL)
    address = models.CharField("地址", max_length=200, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)

    scope_quarter_lookup = "quarter_id"
    choice_label_field = "name"  # ``str()`` of a building (``FastSelect``)

    def get_absolute_url(self):
        return reverse("territory:building_detail", args=[self.pk])

    class Meta:
        verbose_name = "楼栋"
        verbose_name_plural = "楼栋"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "number"],
                name="uniq_building_number_in_grid",
                violation_error_message="该网格内已有相同楼栋号的楼栋。",
            )
        ]

    def __str__(self):
        return self.name


class Household(ScopedModel):
    """户: a household living in one dwelling (building + room)."""

    # No index of its own: uniq_household_room (building, room) leads with it.
    building = models.ForeignKey(
        Building, verbose_name="楼栋", on_delete=models.PROTECT, related_name="households", db_index=False
    )
    room = models.CharField("房号", max_length=20, help_text="如 2-301。")
    household_no = models.CharField("户号", max_length=30, unique=True)
    head = models.ForeignKey(
        "people.Resident", verbose_name="户主", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hukou_type = models.CharField("户籍类型", max_length=16, choices=HukouType.choices, default=HukouType.LOCAL)
    usage = models.CharField("房屋用途", max_length=16, choices=DwellingUsage.choices, default=DwellingUsage.OWNER)
    area_sqm = models.DecimalField("建筑面积（㎡）", max_digits=8, decimal_places=2, null=True, blank=True)

    scope_quarter_lookup = "building__quarter_id"
    scope_parent = "building"  # a household moves with its building

    def get_absolute_url(self):
        return reverse("territory:household_detail", args=[self.pk])

    class Meta:
        verbose_name = "户"
        verbose_name_plural = "户"
        ordering = ["household_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "room"],
                name="uniq_household_room",
                violation_error_message="该楼栋内已登记此房号的户。",
            )
        ]

    def __str__(self):
        return f"{self.building.name} {self.room}"

    @classmethod
    def personal_scope_q(cls, scope, action):
        if action == "view" and scope.household_id:
            return Q(pk=scope.household_id)
        return None
