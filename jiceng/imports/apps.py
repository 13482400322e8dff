from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "jiceng.imports"
    label = "imports"
    verbose_name = "数据导入"

    def ready(self):
        from jiceng.audit.registry import register_detail, register_events

        from .choices import ImportMode
        from .importers import KIND_CHOICES

        events = {"import_submit": "提交导入", "import": "导入完成"}
        register_events("数据导入", events)
        register_detail(
            {"kind": "导入类型", "mode": "导入方式", "dry_run": "仅校验", "file": "文件", "applied": "已写入",
             "created": "新增行数", "updated": "更新行数", "skipped": "跳过行数", "rejected": "未通过行数",
             "message": "结果"},
            {"kind": dict(KIND_CHOICES), "mode": ImportMode},
            events=events,
        )  # fmt: skip
