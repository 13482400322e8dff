"""``manage.py import_roster KIND FILE``: the same import as the page and the API, run in this process."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jiceng.accounts.models import User
from jiceng.core.errors import join_messages
from jiceng.imports import services
from jiceng.imports.choices import ImportMode, OnExisting
from jiceng.imports.importers import IMPORTERS


class Command(BaseCommand):
    help = "从 Excel / CSV 导入台账（与网页、接口同一套校验）。有任何一行未通过时以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(IMPORTERS), help="导入类型")
        parser.add_argument("file", help=".xlsx、.xls、.xlsb、.ods 或 .csv 文件")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--mode", choices=ImportMode.values, default=ImportMode.ALL_OR_NOTHING)
        parser.add_argument("--on-existing", choices=OnExisting.values, default=OnExisting.UPDATE)
        parser.add_argument("--user", default=os.environ.get("JICENG_IMPORT_USER"), help="以哪个账号的权限导入")
        parser.add_argument("--json", action="store_true", dest="as_json", help="以 JSON 输出报告")
        parser.add_argument("--batch-size", type=int, default=None, help="valid_rows 方式每批提交的行数")

    def handle(self, *args, kind, file, dry_run, mode, on_existing, user, as_json, batch_size, **options):
        if not user:
            raise CommandError("请用 --user 指定导入账号（数据按该账号的管辖范围校验）。")
        try:
            actor = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"账号“{user}”不存在或已停用。") from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        try:
            with open(path, "rb") as fh, transaction.atomic():
                job = services.import_job_create(
                    actor=actor, kind=kind, upload=File(fh, name=path.name), dry_run=dry_run, mode=mode,
                    on_existing=on_existing, enqueue=False,
                )  # fmt: skip
        except ValidationError as exc:
            raise CommandError(join_messages(exc.messages)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        job = services.run_import(job, batch_size=batch_size)
        report = services.job_report(job)
        if as_json:
            self.stdout.write(_json(report))
        else:
            self._print(report)
        if report["status"] != "done" or report["rejected_rows"]:
            raise SystemExit(1)

    def _print(self, r: dict) -> None:
        self.stdout.write(f"导入任务 #{r['id']}：{r['status']}  {r['message']}")
        self.stdout.write(
            f"共 {r['total_rows']} 行：通过 {r['accepted_rows']}（新增 {r['created_rows']}、更新 {r['updated_rows']}、"
            f"跳过 {r['skipped_rows']}），未通过 {r['rejected_rows']}。"
        )
        for title, items in (("错误", r["errors"]), ("提示", r["warnings"])):
            if items:
                self.stdout.write(f"\n{title}（行号为 Excel 行号）：")
                for i in items:
                    column = f"[{i['column']}] " if i["column"] else ""
                    value = f"“{i['value']}” " if i["value"] else ""
                    self.stdout.write(f"  第 {i['row']} 行 {column}{value}{i['message']}")


def _json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)
