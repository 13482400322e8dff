from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "jiceng.members"
    label = "members"
    verbose_name = "在职党员双报到"

    def ready(self):
        from jiceng.audit.registry import register_events
        from jiceng.core.counting import register_counted
        from jiceng.core.home import register_home_link
        from jiceng.core.stats import register_stat
        from jiceng.notices.selectors import register_target_label

        from . import selectors
        from .models import HouseholdLink, MemberReport, PostApplication, ServiceRecord

        register_counted(MemberReport)
        register_counted(HouseholdLink)
        register_counted(ServiceRecord)
        register_stat("reported_in_service_members", "已报到在职党员", selectors.count_reported_members)
        register_stat("member_linked_households", "党员联系户", selectors.count_linked_households)
        register_stat("service_hours", "在职党员服务时长（小时）", selectors.sum_service_hours)
        register_events("双报到", {"feedback_send": "发送在职党员季度反馈"})
        for label, url_name, hint, order in (
            ("我的双报到", "members:memberreport_list", "向居住地社区报到、查看报到状态", 10),
            ("服务岗位", "members:servicepost_list", "认领社区的志愿服务岗位", 30),
            ("服务登记卡", "members:servicerecord_list", "登记每一次服务，社区确认后计入服务时长", 40),
            ("我的联系户", "members:householdlink_list", "联系的群众家庭与走访记录", 50),
        ):
            register_home_link("party_member", label, url_name, hint=hint, order=order)
        for model, label in ((MemberReport, "报到单"), (PostApplication, "上岗申请"), (ServiceRecord, "服务登记卡")):
            register_target_label(model, lambda ids, label=label: {pk: f"{label} {pk}" for pk in ids})
