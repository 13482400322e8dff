from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "jiceng.exports"
    label = "exports"
    verbose_name = "数据导出"

    def ready(self):
        from jiceng.audit.registry import register_detail, register_events

        register_events(
            "数据导出", {"export": "导出", "export_denied": "导出（被拒绝）", "export_download": "下载导出文件"}
        )
        register_detail(
            {
                "path": "页面",
                "query": "筛选条件",
                "list": "列表",
                "reveal": "含完整信息",
                "export": "导出时查看",
                "full_register": "完整台账列",
            }
        )
