"""Periodic jobs of the 诉求 loop (``jiceng.periodic``: run once per period by whichever scheduler claims it)."""

import datetime as dt

from jiceng.periodic.registry import periodic

from .tasks import check_overdue

periodic("tickets.check_overdue", check_overdue, every=dt.timedelta(minutes=10))
