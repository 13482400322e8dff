from django.db import models


class AreaKind(models.TextChoices):
    DISTRICT = "district", "区"
    STREET = "street", "街道"
    COMMUNITY = "community", "社区"
    GRID = "grid", "网格"
    QUARTER = "quarter", "小区"


#: Which kinds may sit directly under which (a grid is never directly under a street).
ALLOWED_CHILDREN = {
    AreaKind.DISTRICT: {AreaKind.STREET},
    AreaKind.STREET: {AreaKind.COMMUNITY},
    AreaKind.COMMUNITY: {AreaKind.GRID, AreaKind.QUARTER},
    AreaKind.GRID: set(),
    AreaKind.QUARTER: set(),
}


class TownKind(models.TextChoices):
    STREET = "街道", "街道"
    TOWN = "镇", "镇"
    TOWNSHIP = "乡", "乡"
    ZONE = "政企合一", "政企合一"


class GridType(models.TextChoices):
    BASIC = "basic", "基础网格"
    DEDICATED = "dedicated", "专属网格"


class UrbanRural(models.TextChoices):
    MAIN_URBAN = "111", "主城区"
    URBAN_FRINGE = "112", "城乡结合区"
    TOWN_CENTRE = "121", "镇中心区"
    TOWN_FRINGE = "122", "镇乡结合区"
    SPECIAL = "123", "特殊区域"
    VILLAGE = "220", "村庄"


class BuildingUsage(models.TextChoices):
    RESIDENTIAL = "residential", "住宅"
    COMMERCIAL = "commercial", "商业"
    MIXED = "mixed", "商住混合"
    PUBLIC = "public", "公共服务"


class DwellingUsage(models.TextChoices):
    OWNER = "owner", "自住"
    RENTED = "rented", "出租"
    VACANT = "vacant", "空置"
    BUSINESS = "business", "经营"


class HukouType(models.TextChoices):
    LOCAL = "local", "本地户籍"
    NONLOCAL = "nonlocal", "外地户籍"
    COLLECTIVE = "collective", "集体户"
    NONE = "none", "未落户"
