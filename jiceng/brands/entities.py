"""The brand, declared once: pages, URLs, nav, API, import, permissions (``jiceng.core.entities``)."""

from jiceng.core.entities import Entity, register

from .models import Brand

MANAGE = ("view", "add", "change", "delete", "export", "import")


@register
class BrandEntity(Entity):
    model = Brand
    fields = ("name", "org", "area", "description", "start_date", "logo")
    scope_from = ("org", "area")
    list_display = ("name", "org", "area", "start_date")
    filters = ("org", "area")
    search_fields = ("name", "description")
    file_fields = ("logo",)
    attachments = "活动照片"  # the brand's activities, on its page (jiceng.attachments)
    related = ("org", "area")
    url_path = "brands/"
    api_name = "brands"
    nav = ("党建品牌", "治理品牌")
    # The street and the community run brands; grid workers and branch secretaries see them.
    permissions = {"staff": ("view",), "admins": MANAGE, "community_worker": MANAGE}
    import_columns = ("name", "org", "area", "description", "start_date")
    import_synonyms = {"name": ("品牌", "名称"), "org": ("党组织",), "area": ("辖区", "社区", "网格", "小区")}
    import_examples = {"name": "一格一姐", "area": "文昌花园社区", "start_date": "2022-03-01"}
    import_notes = ("所属党组织与所属辖区二选一；同一单位下品牌名称相同的行更新已有品牌。",)
