"""Periodic jobs of the big Party committee (``jiceng.periodic``), once a day (Asia/Shanghai)."""

import datetime as dt

from jiceng.periodic.registry import periodic

from .tasks import handover_notice, overdue_notice

periodic("committee.handover_notice", handover_notice, every=dt.timedelta(days=1))
periodic("committee.overdue_notice", overdue_notice, every=dt.timedelta(days=1))
