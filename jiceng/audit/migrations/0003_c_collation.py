from django.db import migrations

from jiceng.core.collation import set_c_collation


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        # PostgreSQL: byte-order collation so the btrees on these columns serve prefix LIKE and ORDER BY.
        set_c_collation([("audit_auditlog", "scope_path", 255), ("audit_sensitiveaccesslog", "scope_path", 255)]),
    ]
