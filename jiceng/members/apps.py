from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "jiceng.members"
    label = "members"
    verbose_name = "在职党员双报到"

    def ready(self):
        from jiceng.core.counting import register_counted
        from jiceng.core.stats import register_stat
        from jiceng.notices.selectors import register_target_label

        from . import selectors
        from .models import HouseholdLink, MemberReport

        register_counted(MemberReport)
        register_counted(HouseholdLink)
        register_stat("reported_in_service_members", "已报到在职党员", selectors.count_reported_members)
        register_stat("member_linked_households", "党员联系户", selectors.count_linked_households)
        register_target_label(MemberReport, lambda ids: {pk: f"报到单 {pk}" for pk in ids})
