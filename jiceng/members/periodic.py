"""Periodic jobs of 双报到 (``jiceng.periodic``): daily, so the first run of a quarter sends last quarter's sheets."""

import datetime as dt

from jiceng.periodic.registry import periodic

from .tasks import quarterly_feedback

periodic("members.quarterly_feedback", quarterly_feedback, every=dt.timedelta(days=1))
