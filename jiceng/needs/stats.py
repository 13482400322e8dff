"""What the app registers at start-up: the figures of ``/api/v1/stats/`` and the home page
(``core.stats``: needs open, claimed, done) and the names of its notices' targets."""

from __future__ import annotations

from jiceng.core.counting import register_counted
from jiceng.core.stats import register_stat
from jiceng.notices.selectors import register_target_label

from .choices import NeedStatus
from .models import Need, Project


def _count(status):
    def count(scoped, user, node):
        return scoped(Need.objects.filter(status=status)).count()

    return count


_OPEN, _CLAIMED, _DONE = _count(NeedStatus.OPEN), _count(NeedStatus.CLAIMED), _count(NeedStatus.DONE)


def _titles(model):
    def titles(ids):
        field = "title" if model is Need else "name"
        return dict(model.objects.filter(pk__in=ids).values_list("pk", field))

    return titles


def register() -> None:
    register_counted(Need)
    register_target_label(Need, _titles(Need))  # a notice about a need is named by its title
    register_target_label(Project, _titles(Project))
    register_stat("needs_open", "待认领需求", _OPEN)
    register_stat("needs_claimed", "已认领需求", _CLAIMED)
    register_stat("needs_done", "已完成需求", _DONE)
