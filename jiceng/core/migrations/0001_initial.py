"""工作日历调整 move to ``core`` (step 2 of 2): take over the model state of ``tickets.WorkCalendarDay``,
whose table ``tickets.0006`` renamed to ``core_workcalendarday``. State only: no table is created."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("tickets", "0006_workcalendarday_moved_to_core")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WorkCalendarDay",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("date", models.DateField(unique=True, verbose_name="日期")),
                        ("is_workday", models.BooleanField(verbose_name="是否工作日")),
                        ("note", models.CharField(blank=True, help_text="如“春节”“春节调休上班”。", max_length=100, verbose_name="说明")),
                    ],
                    options={
                        "verbose_name": "工作日历调整",
                        "verbose_name_plural": "工作日历调整",
                        "ordering": ["date"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
