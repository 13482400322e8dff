"""``id_mask`` / ``phone_mask``: the masked forms lists and masked exports show, stored with the value so
a list page decrypts nothing (it decrypted two fields per row, a seventh of a page's time). Existing rows
are filled in batches: each value decrypted once here, masked as ``jiceng.core.masking`` masks it."""

from django.db import migrations, models

BATCH = 5000


def fill_masks(apps, schema_editor):
    from jiceng.core.crypto import decrypt
    from jiceng.core.masking import mask_id_number, mask_phone

    connection = schema_editor.connection
    table = connection.ops.quote_name("people_resident")
    with connection.cursor() as read, connection.cursor() as write:
        last = 0
        while True:
            read.execute(
                f"SELECT id, id_number, phone FROM {table} WHERE id > %s ORDER BY id LIMIT {BATCH}", [last]
            )  # keyset pages: no server-side cursor, the same on SQLite and PostgreSQL
            rows = read.fetchall()
            if not rows:
                break
            last = rows[-1][0]
            masks = [
                (pk, mask_id_number(decrypt(n) if n else ""), mask_phone(decrypt(p) if p else "")) for pk, n, p in rows
            ]
            if connection.vendor == "postgresql":  # one statement a batch (executemany: a round trip a row)
                ids, id_masks, phone_masks = zip(*masks, strict=True)
                write.execute(
                    f"UPDATE {table} AS r SET id_mask = v.m, phone_mask = v.p"
                    " FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, m, p) WHERE r.id = v.id",
                    [list(ids), list(id_masks), list(phone_masks)],
                )
            else:
                write.executemany(
                    f"UPDATE {table} SET id_mask = %s, phone_mask = %s WHERE id = %s",
                    [(m, p, pk) for pk, m, p in masks],
                )


class Migration(migrations.Migration):
    dependencies = [("people", "0005_drop_redundant_indexes")]

    operations = [
        migrations.AddField(
            model_name="resident",
            name="id_mask",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="resident",
            name="phone_mask",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_masks, migrations.RunPython.noop, elidable=False),
    ]
