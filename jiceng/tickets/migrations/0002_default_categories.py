"""The default catalogue of 诉求类别 and 巡查事件 classes (editable afterwards)."""

from django.db import migrations

CATEGORIES = [
    # (service_code, kind, name, description, attributes)
    ("001", "consult", "政策咨询", "政策、办事流程、证明开具等咨询", []),
    ("002", "consult", "办事咨询", "社区服务事项的办理地点、时间、材料", []),
    ("101", "help", "生活求助", "独居老人、残疾人等生活上的困难", []),
    ("102", "help", "困难帮扶", "低保、临时救助等帮扶诉求", []),
    ("201", "complaint", "物业服务", "物业服务质量、收费、维修等投诉", []),
    ("202", "complaint", "噪音扰民", "施工、商铺、邻里噪音", [
        {"variable": True, "code": "noise_time", "datatype": "singlevaluelist", "required": False,
         "datatype_description": "", "order": 1, "description": "噪音主要发生时段",
         "values": [{"key": "day", "name": "白天"}, {"key": "night", "name": "夜间（22时至次日6时）"}]},
    ]),
    ("203", "complaint", "环境卫生", "垃圾清运、楼道杂物、污水", []),
    ("204", "complaint", "停车管理", "乱停车、占用消防通道", []),
    ("301", "report", "违法建设", "私搭乱建、破坏承重结构", []),
    ("302", "report", "安全隐患", "电动车楼道充电、燃气、消防隐患", [
        {"variable": True, "code": "hazard_type", "datatype": "singlevaluelist", "required": True,
         "datatype_description": "", "order": 1, "description": "隐患类型",
         "values": [{"key": "ebike", "name": "电动车充电"}, {"key": "gas", "name": "燃气"},
                    {"key": "fire", "name": "消防通道"}, {"key": "other", "name": "其他"}]},
    ]),
    ("401", "suggestion", "社区建设建议", "公共设施、活动、治理方面的意见建议", []),
    # 事件大类 of GB/T 30428 (数字城管), for what grid workers find on patrol.
    ("E01", "event", "市容环境", "暴露垃圾、积存垃圾渣土、道路不洁等", []),
    ("E02", "event", "宣传广告", "违规张贴、非法小广告", []),
    ("E03", "event", "施工管理", "施工扰民、工地扬尘、道路遗撒", []),
    ("E04", "event", "突发事件", "路面塌陷、管道破裂、火情等", []),
    ("E05", "event", "街面秩序", "占道经营、无照经营、乱堆物料", []),
    ("E06", "event", "扩展事件", "其他巡查发现的问题", []),
]


def create(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    for order, (code, kind, name, description, attributes) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            service_code=code,
            defaults={"kind": kind, "name": name, "description": description, "attributes": attributes,
                      "sort_order": order},
        )


def remove(apps, schema_editor):
    apps.get_model("tickets", "Category").objects.filter(service_code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
