"""Database triggers that make the audit tables append-only for anyone, even outside Django."""

from django.conf import settings
from django.db import migrations

TABLES = ["audit_auditlog", "audit_sensitiveaccesslog"]


def forwards(apps, schema_editor):
    # The test suite flushes tables between transactional tests, which the triggers would refuse;
    # it installs them itself (install_triggers) in the test that proves they work.
    if getattr(settings, "JICENG_AUDIT_DB_TRIGGERS", True):
        install_triggers(schema_editor)


def install_triggers(schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '审计日志只能追加'); END;"
                )
        elif vendor == "postgresql":
            schema_editor.execute(
                "CREATE OR REPLACE FUNCTION jiceng_audit_append_only() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION '审计日志只能追加'; END; $$ LANGUAGE plpgsql;"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION jiceng_audit_append_only();"
            )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
