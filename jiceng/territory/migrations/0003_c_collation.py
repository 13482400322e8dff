from django.db import migrations

from jiceng.core.collation import set_c_collation


class Migration(migrations.Migration):
    dependencies = [("territory", "0002_alter_building_uniq_building_number_in_grid_and_more")]

    operations = [
        # PostgreSQL: byte-order collation so the btrees on these columns serve prefix LIKE and ORDER BY.
        set_c_collation(
            [
                ("territory_area", "path", 255),
                ("territory_building", "scope_path", 255),
                ("territory_household", "scope_path", 255),
            ]
        ),
    ]
