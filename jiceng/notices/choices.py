from django.db import models


class NotificationKind(models.TextChoices):
    TODO = "todo", "待办"
    PROGRESS = "progress", "进展"
    REMINDER = "reminder", "临期提醒"
    SUPERVISE = "supervise", "督办"
