"""Fewer indexes to write per dwelling (an import creates up to 100,000): ``building`` has none of its
own (uniq_household_room (building, room) leads with it), and ``scope_path`` (``COLLATE "C"``) loses
its ``_like`` twin (jiceng/core/collation.py)."""

import django.db.models.deletion
from django.db import migrations, models

from jiceng.core.collation import drop_like_indexes


class Migration(migrations.Migration):
    dependencies = [("territory", "0003_c_collation")]

    operations = [
        migrations.AlterField(
            model_name="household",
            name="building",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="households",
                to="territory.building",
                verbose_name="楼栋",
            ),
        ),
        drop_like_indexes([("territory_household", "scope_path")]),
    ]
