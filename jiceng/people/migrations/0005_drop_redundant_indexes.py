"""Fewer indexes to write per resident (an import inserts up to 100,000 rows): 15 → 11 on PostgreSQL.

* ``name``: resident_name_idx (name, scope_path, id) already leads with it, for every live-row search
  and sort; its own btree and ``_like`` twin served nothing more.
* the ``_like`` twins of ``id_hash`` and ``phone_hash`` (only ever compared whole) and of
  ``scope_path`` (``COLLATE "C"``: its own btree answers the prefix LIKE, jiceng/core/collation.py).
"""

from django.db import migrations, models

from jiceng.core.collation import drop_like_indexes


class Migration(migrations.Migration):
    dependencies = [("people", "0004_autovacuum_big_tables"), ("territory", "0004_drop_redundant_indexes")]

    operations = [
        migrations.AlterField(
            model_name="resident", name="name", field=models.CharField(max_length=50, verbose_name="姓名")
        ),
        drop_like_indexes(
            [("people_resident", "id_hash"), ("people_resident", "phone_hash"), ("people_resident", "scope_path")]
        ),
    ]
