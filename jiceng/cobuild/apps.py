from django.apps import AppConfig


class CobuildConfig(AppConfig):
    name = "jiceng.cobuild"
    label = "cobuild"
    verbose_name = "单位包保"

    def ready(self):
        from jiceng.core.counting import register_counted
        from jiceng.core.home import register_home_link
        from jiceng.core.stats import register_stat
        from jiceng.notices.selectors import register_target_label

        from . import selectors
        from .models import Pairing, UnitReport

        register_counted(Pairing)
        register_counted(UnitReport)
        register_stat("cobuild_units", "包保单位", selectors.count_cobuild_units)
        register_stat("paired_grids", "已包保网格", selectors.count_paired_grids)
        register_stat("unpaired_grids", "未包保网格", selectors.count_unpaired_grids)
        register_stat("reported_units", "已报到单位", selectors.count_reported_units)
        register_target_label(UnitReport, _report_labels)
        register_home_link(
            "unit_liaison", "我单位的包保", "cobuild:my_unit", hint="包保网格、报到单、活动记录", order=10
        )


def _report_labels(ids) -> dict[int, str]:
    """``{pk: "某单位向某社区报到"}`` for the reports ``ids`` (one query: ``notices.selectors.target_labels``)."""
    from .models import UnitReport

    rows = (
        UnitReport.objects.filter(pk__in=ids)
        .select_related("unit", "community")
        .only("pk", "unit__name", "community__name")
    )
    return {r.pk: f"{r.unit.name}向{r.community.name}报到" for r in rows}
