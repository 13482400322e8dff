"""The follow-up code (查询码) becomes random and stored as a keyed hash (``Ticket.followup_code_hash``).

Before, the code was derived from the ticket number (8 hex characters of an HMAC, nothing stored) and
worked on any ticket without a reporter account. Tickets a visitor submitted without an account
(channel 居民上报, no account, not recorded by staff) keep the code their reporter was given: its hash
is stored here. Every other ticket (patrol events, staff-recorded, hotline, Open311) gets none and can
no longer be followed, withdrawn or rated by code. The old codes are short, but attempts are now
limited per ticket and per client (``jiceng.core.ratelimit``).
"""

from django.db import migrations, models


def keep_visitors_codes(apps, schema_editor):
    from jiceng.core.crypto import lookup_hash

    Ticket = apps.get_model("tickets", "Ticket")
    rows = (
        Ticket.objects.filter(channel="resident", reporter_user__isnull=True, recorded_by__isnull=True)
        .exclude(status="draft")
        .values_list("pk", "ticket_no")
    )
    batch = []
    for pk, ticket_no in rows.iterator(chunk_size=2000):
        old_code = lookup_hash(f"ticket-lookup:{ticket_no}")[:8].upper()
        # As ``services.followup_code_hash`` hashes it (hex digits and capitals normalise to themselves).
        batch.append(Ticket(pk=pk, followup_code_hash=lookup_hash("ticket-followup:" + old_code)))
        if len(batch) >= 2000:
            Ticket.objects.bulk_update(batch, ["followup_code_hash"])
            batch = []
    if batch:
        Ticket.objects.bulk_update(batch, ["followup_code_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0002_default_categories"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="followup_code_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="查询码摘要"),
        ),
        migrations.RunPython(keep_visitors_codes, migrations.RunPython.noop),
    ]
