from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "jiceng.needs"
    label = "needs"
    verbose_name = "三单制与三张清单"

    def ready(self):
        from jiceng.audit.registry import register_events
        from jiceng.core.home import register_home_link

        from . import stats

        stats.register()
        register_events(
            "三单制",
            {"need_from_ticket": "由工单登记需求", "milestone_add": "添加项目节点", "milestone_done": "完成项目节点"},
        )
        register_home_link(
            "party_member", "我可认领", "needs:need_claimable", hint="居民点单、支部下单，党员接单", order=20
        )
        register_home_link(
            "unit_liaison", "可认领的需求", "needs:need_claimable", hint="发布给共建单位的需求", order=20
        )
        register_home_link("resident", "发布微心愿", "needs:need_add", hint="写下您的需求，社区审核后发布", order=20)
        register_home_link("resident", "我的微心愿", "needs:need_list", order=21)
