import django_tables2 as tables

from .models import Area, Building, Household


class AreaTable(tables.Table):
    name = tables.Column(verbose_name="名称", linkify=("territory:area_detail", [tables.A("pk")]))
    code = tables.Column(verbose_name="代码")
    kind = tables.Column(verbose_name="层级")
    numchild = tables.Column(verbose_name="下级数")
    code_is_example = tables.BooleanColumn(verbose_name="代码为示例", yesno="示例,—")

    class Meta:
        model = Area
        fields = ("name", "code", "kind", "numchild", "code_is_example")
        order_by = ("code",)
        empty_text = "暂无数据"


class GridTable(AreaTable):
    grid_type = tables.Column(verbose_name="网格类型")
    brand_name = tables.Column(verbose_name="品牌")

    class Meta(AreaTable.Meta):
        fields = ("name", "code", "grid_type", "brand_name", "code_is_example")


class QuarterTable(AreaTable):
    address = tables.Column(verbose_name="地址")
    has_service_station = tables.BooleanColumn(verbose_name="党群服务站", yesno="有,无")

    class Meta(AreaTable.Meta):
        fields = ("name", "code", "address", "has_service_station")


class BuildingTable(tables.Table):
    name = tables.Column(verbose_name="楼栋", linkify=("territory:building_detail", [tables.A("pk")]))
    code = tables.Column(verbose_name="编码")
    grid = tables.Column(verbose_name="网格", accessor="grid__name")
    quarter = tables.Column(verbose_name="小区", accessor="quarter__name", default="—")
    floors = tables.Column(verbose_name="层数")
    usage = tables.Column(verbose_name="用途")

    class Meta:
        model = Building
        fields = ("name", "code", "grid", "quarter", "floors", "usage")
        order_by = ("code",)
        empty_text = "暂无数据"


class HouseholdTable(tables.Table):
    household_no = tables.Column(verbose_name="户号", linkify=("territory:household_detail", [tables.A("pk")]))
    building = tables.Column(verbose_name="楼栋", accessor="building__name")
    room = tables.Column(verbose_name="房号")
    hukou_type = tables.Column(verbose_name="户籍类型")
    usage = tables.Column(verbose_name="房屋用途")

    class Meta:
        model = Household
        fields = ("household_no", "building", "room", "hukou_type", "usage")
        order_by = ("household_no",)
        empty_text = "暂无数据"
