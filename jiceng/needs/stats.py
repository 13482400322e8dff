"""The figures of ``/api/v1/stats/`` and the home page (``core.stats``): needs open, claimed, done."""

from __future__ import annotations

from jiceng.core.counting import register_counted
from jiceng.core.stats import register_stat

from .choices import NeedStatus
from .models import Need


def _count(status):
    def count(scoped, user, node):
        return scoped(Need.objects.filter(status=status)).count()

    return count


_OPEN, _CLAIMED, _DONE = _count(NeedStatus.OPEN), _count(NeedStatus.CLAIMED), _count(NeedStatus.DONE)


def register() -> None:
    register_counted(Need)
    register_stat("needs_open", "待认领需求", _OPEN)
    register_stat("needs_claimed", "已认领需求", _CLAIMED)
    register_stat("needs_done", "已完成需求", _DONE)
