"""工作日历调整 move to ``core`` (step 1 of 2), next to ``core.workdays`` which reads it: the table is renamed
in place to the name the model has in ``core`` (``core_workcalendarday``), rows kept, and this app
forgets the model. ``core.0001_initial`` takes the model state over without touching the table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_organisation_moved_to_orgs")]

    operations = [
        migrations.AlterModelTable("WorkCalendarDay", "core_workcalendarday"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel("WorkCalendarDay")],
            database_operations=[],
        ),
    ]
