"""承办单位 move to the ``orgs`` app (step 2 of 3): take over the model state of ``tickets.HandlerOrg``
(renamed ``Organisation``, table ``orgs_organisation`` by ``tickets.0004``) without touching the
table, then add what organisations that are not territory nodes need: 统一社会信用代码, contact person
and phone, address; and the kinds 物业服务企业 and 业主委员会."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("tickets", "0004_rename_handlerorg_organisation"),
        ("territory", "0004_drop_redundant_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Organisation",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("grid", "网格"), ("community", "社区"), ("street", "街道"), ("district", "区"), ("department", "职能部门"), ("unit", "共建单位"), ("property", "物业服务企业"), ("owners_committee", "业主委员会")], max_length=16, verbose_name="类型")),
                        ("name", models.CharField(max_length=100, verbose_name="名称")),
                        ("is_active", models.BooleanField(default=True, verbose_name="启用")),
                        ("area", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="organisations", to="territory.area", verbose_name="所属辖区节点")),
                        ("members", models.ManyToManyField(blank=True, related_name="organisations", to=settings.AUTH_USER_MODEL, verbose_name="经办人员")),
                    ],
                    options={
                        "verbose_name": "组织机构",
                        "verbose_name_plural": "组织机构",
                        "ordering": ["kind", "name"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("kind__in", ["grid", "community", "street", "district"])),
                                fields=("area",),
                                name="uniq_territory_handler_org",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="organisation",
            name="uscc",
            field=models.CharField(blank=True, help_text="18 位，按 GB 32100-2015 校验；职能部门可不填。", max_length=18, null=True, unique=True, verbose_name="统一社会信用代码"),
        ),
        migrations.AddField(
            model_name="organisation",
            name="contact_name",
            field=models.CharField(blank=True, max_length=50, verbose_name="联系人"),
        ),
        migrations.AddField(
            model_name="organisation",
            name="contact_phone",
            field=models.CharField(blank=True, max_length=20, verbose_name="联系电话"),
        ),
        migrations.AddField(
            model_name="organisation",
            name="address",
            field=models.CharField(blank=True, max_length=200, verbose_name="地址"),
        ),
    ]
