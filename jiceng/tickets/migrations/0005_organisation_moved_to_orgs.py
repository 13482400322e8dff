"""承办单位 move to the ``orgs`` app (step 3 of 3): the foreign keys point at ``orgs.Organisation`` and
this app forgets its copy of the model. State only: the table already is ``orgs_organisation``."""

import django.db.models.deletion
from django.db import migrations, models


def fk(verbose_name, **extra):
    return models.ForeignKey(
        blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
        to="orgs.organisation", verbose_name=verbose_name, **extra,
    )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0004_rename_handlerorg_organisation"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField("ticket", "handler_org", fk("当前承办单位")),
                migrations.AlterField(
                    "ticket", "dispatcher_org", fk("派单单位", help_text="退单时工单回到此单位重新派单（改派）。")
                ),
                migrations.AlterField("ticket", "lead_org", fk("牵头单位")),
                migrations.AlterField("ticket", "whistle_org", fk("吹哨报到部门")),
                migrations.AlterField(
                    "ticket",
                    "co_orgs",
                    models.ManyToManyField(
                        blank=True, related_name="co_tickets", to="orgs.organisation", verbose_name="协办单位"
                    ),
                ),
                migrations.AlterField(
                    "ticketaction",
                    "org",
                    models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                        to="orgs.organisation", verbose_name="操作单位",
                    ),  # fmt: skip
                ),
                migrations.DeleteModel("Organisation"),
            ],
            database_operations=[],
        )
    ]
