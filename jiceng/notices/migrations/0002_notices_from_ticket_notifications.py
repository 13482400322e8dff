"""Every ``tickets.Notification`` row becomes a ``notices.Notice`` (same id, time, read state; target = its
ticket, or none); ``tickets`` deletes its model in the migration after this one."""

from django.core.management.color import no_style
from django.db import migrations
from django.db.models import Q
from django.urls import reverse


def forward(apps, schema_editor):
    Notification = apps.get_model("tickets", "Notification")
    Notice = apps.get_model("notices", "Notice")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Notice._meta.get_field("created_at").auto_now_add = False  # keep each row's own time
    ctype, _ = ContentType.objects.get_or_create(app_label="tickets", model="ticket")
    rows = Notification.objects.order_by("pk").iterator(chunk_size=2000)
    batch = []
    for n in rows:
        batch.append(
            Notice(
                pk=n.pk,
                user_id=n.user_id,
                target_type=ctype if n.ticket_id else None,
                target_id=n.ticket_id,
                target_url=reverse("tickets:detail", args=[n.ticket_id]) if n.ticket_id else "",
                kind=n.kind,
                text=n.text,
                created_at=n.created_at,
                read_at=n.read_at,
            )
        )
        if len(batch) >= 2000:
            Notice.objects.bulk_create(batch)
            batch = []
    Notice.objects.bulk_create(batch)
    _reset_sequence(schema_editor, Notice)


def backward(apps, schema_editor):
    Notification = apps.get_model("tickets", "Notification")
    Notice = apps.get_model("notices", "Notice")
    Notification._meta.get_field("created_at").auto_now_add = False
    ticket_ids = set(apps.get_model("tickets", "Ticket").objects.values_list("pk", flat=True))
    Notification.objects.bulk_create(
        Notification(
            pk=n.pk,
            user_id=n.user_id,
            ticket_id=n.target_id if n.target_type_id and n.target_id in ticket_ids else None,
            kind=n.kind,
            text=n.text,
            created_at=n.created_at,
            read_at=n.read_at,
        )
        for n in Notice.objects.filter(Q(target_type__isnull=True) | Q(target_type__app_label="tickets", target_type__model="ticket"))
        .order_by("pk")
    )
    _reset_sequence(schema_editor, Notification)


def _reset_sequence(schema_editor, model):
    connection = schema_editor.connection
    sql = connection.ops.sequence_reset_sql(no_style(), [model])
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0001_initial"),
        ("tickets", "0006_workcalendarday_moved_to_core"),
    ]

    operations = [migrations.RunPython(forward, backward)]
