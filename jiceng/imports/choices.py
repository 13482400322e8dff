from django.db import models


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", "全部通过才导入（任何一行有误则不导入）"
    VALID_ROWS = "valid_rows", "只导入正确的行"


class OnExisting(models.TextChoices):
    UPDATE = "update", "更新已有记录"
    SKIP = "skip", "跳过已有记录"
