"""承办单位 move to the ``orgs`` app (step 1 of 3): rename the model and its table in place.

``RenameModel`` renames ``tickets_handlerorg`` and the ``handlerorg_id`` columns of the membership and
协办 tables; the table then takes the name the model will have in ``orgs``. Rows, members and every
ticket's foreign key stay as they are. ``orgs.0001_initial`` takes the model state over and
``tickets.0005`` drops it from this app.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_ticket_followup_code_hash")]

    operations = [
        migrations.RenameModel("HandlerOrg", "Organisation"),
        migrations.AlterModelTable("Organisation", "orgs_organisation"),
    ]
