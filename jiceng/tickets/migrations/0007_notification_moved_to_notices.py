"""``Notification`` is now ``notices.Notice`` (its rows were copied by ``notices.0002``)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0006_workcalendarday_moved_to_core"),
        ("notices", "0002_notices_from_ticket_notifications"),
    ]

    operations = [migrations.DeleteModel(name="Notification")]
