"""The periodic-job registry and the scheduler's tick (in process; the race between real processes is in
tests/test_background.py)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.management import call_command
from django.db import OperationalError

from jiceng.periodic import registry, services
from jiceng.periodic.models import PeriodicRun
from jiceng.periodic.registry import PeriodicJob, jobs, periodic
from jiceng.tickets.tasks import check_overdue

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def only_overdue():
    """The registry with just the overdue check (as the project declares it); restored afterwards."""
    jobs()
    saved = dict(registry._REGISTRY)
    registry._REGISTRY.clear()
    registry._REGISTRY["tickets.check_overdue"] = saved["tickets.check_overdue"]
    yield registry._REGISTRY["tickets.check_overdue"]
    registry._REGISTRY.clear()
    registry._REGISTRY.update(saved)


def test_apps_declare_their_jobs_in_their_periodic_module():
    declared = {job.name: job for job in jobs()}
    assert declared["tickets.check_overdue"].task is check_overdue
    assert declared["tickets.check_overdue"].every == dt.timedelta(minutes=10)
    assert declared["tickets.check_overdue"].every_label == "每 10 分钟"


def test_periods_start_on_the_same_instant_on_every_host():
    ten = PeriodicJob("x", check_overdue, dt.timedelta(minutes=10))
    assert ten.period_start(at("2026-12-02 18:07:31.5")) == at("2026-12-02 18:00:00")
    assert ten.period_start(at("2026-12-02 18:10:00")) == at("2026-12-02 18:10:00")
    assert ten.period_start(at("2026-12-02 18:09:59.999999")) == at("2026-12-02 18:00:00")
    daily = PeriodicJob("y", check_overdue, dt.timedelta(days=1))
    assert daily.period_start(at("2026-12-02 00:30:00")) == at("2026-12-02 00:00:00")  # local midnight, not UTC
    assert daily.period_start(at("2026-12-02 23:59:59")) == at("2026-12-02 00:00:00")
    assert daily.period_start(at("2026-12-02 18:00:00")).tzinfo == dt.UTC
    assert daily.every_label == "每 1 天"


def test_a_job_needs_a_whole_period_and_a_unique_name():
    with pytest.raises(ValueError):
        periodic("bad.half_second", check_overdue, every=dt.timedelta(milliseconds=500))
    with pytest.raises(ValueError):
        periodic("tickets.check_overdue", object(), every=dt.timedelta(minutes=10))
    assert {job.name for job in jobs()} >= {"tickets.check_overdue"}
    assert "bad.half_second" not in {job.name for job in jobs()}


@pytest.mark.django_db
def test_each_period_is_claimed_once_and_its_task_enqueued(only_overdue, monkeypatch):
    enqueued = []
    monkeypatch.setattr(type(only_overdue.task), "enqueue", lambda self: enqueued.append(1) or _Result("t-1"))
    now = at("2026-12-02 18:07:00")
    first = services.periodic_due(now=now, claimed_by="host-a:1")
    assert [(r.job, r.period_start, r.claimed_by, r.task_id) for r in first] == [
        ("tickets.check_overdue", at("2026-12-02 18:00:00"), "host-a:1", "t-1")
    ]
    # Another scheduler (another host), later in the same period: nothing to do.
    assert services.periodic_due(now=at("2026-12-02 18:09:59"), claimed_by="host-b:7") == []
    assert enqueued == [1]
    # The next period is claimed by whoever comes first.
    second = services.periodic_due(now=at("2026-12-02 18:10:02"), claimed_by="host-b:7")
    assert [(r.period_start, r.claimed_by) for r in second] == [(at("2026-12-02 18:10:00"), "host-b:7")]
    assert PeriodicRun.objects.count() == 2 and enqueued == [1, 1]


@pytest.mark.django_db
def test_a_lost_race_at_the_insert_enqueues_nothing(only_overdue, monkeypatch):
    """Two schedulers that both saw no claim: the database refuses the second insert; only one task."""
    enqueued = []
    monkeypatch.setattr(type(only_overdue.task), "enqueue", lambda self: enqueued.append(1) or _Result("t"))
    start = at("2026-12-02 18:00:00")
    assert services.periodic_run_claim(job=only_overdue, period_start=start, claimed_by="a") is not None
    assert services.periodic_run_claim(job=only_overdue, period_start=start, claimed_by="b") is None
    assert list(PeriodicRun.objects.values_list("claimed_by", flat=True)) == ["a"] and enqueued == [1]


@pytest.mark.django_db
def test_a_claim_whose_enqueue_fails_is_rolled_back_and_retried(only_overdue, monkeypatch):
    def broken(self):
        raise RuntimeError("queue table missing")

    monkeypatch.setattr(type(only_overdue.task), "enqueue", broken)
    seen = {}
    now = at("2026-12-02 18:01:00")
    assert services.periodic_due(now=now, claimed_by="a", seen=seen) == []
    assert PeriodicRun.objects.count() == 0 and seen == {}  # not remembered: the next tick tries again
    monkeypatch.setattr(type(only_overdue.task), "enqueue", lambda self: _Result("t-2"))
    assert [r.task_id for r in services.periodic_due(now=now, claimed_by="a", seen=seen)] == ["t-2"]
    assert seen == {"tickets.check_overdue": at("2026-12-02 18:00:00")}


@pytest.mark.django_db
def test_a_locked_database_is_tried_again_on_the_next_tick(only_overdue, monkeypatch):
    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "periodic_run_claim", locked)
    seen = {}
    assert services.periodic_due(now=at("2026-12-02 18:01:00"), claimed_by="a", seen=seen) == []
    assert seen == {} and PeriodicRun.objects.count() == 0


@pytest.mark.django_db
def test_claims_older_than_thirty_days_are_pruned(only_overdue, monkeypatch):
    monkeypatch.setattr(type(only_overdue.task), "enqueue", lambda self: _Result("t"))
    old = PeriodicRun.objects.create(job="tickets.check_overdue", period_start=at("2026-10-01 10:00"), claimed_by="x")
    recent = PeriodicRun.objects.create(
        job="tickets.check_overdue", period_start=at("2026-11-20 10:00"), claimed_by="x"
    )
    services.periodic_due(now=at("2026-12-02 18:01:00"), claimed_by="a")
    assert not PeriodicRun.objects.filter(pk=old.pk).exists()
    assert PeriodicRun.objects.filter(pk=recent.pk).exists() and PeriodicRun.objects.count() == 2


@pytest.mark.django_db
def test_run_scheduler_once_enqueues_and_the_immediate_backend_runs_the_check(only_overdue, capsys):
    call_command("run_scheduler", "--once")
    out = capsys.readouterr().out
    run = PeriodicRun.objects.get()
    assert run.job == "tickets.check_overdue" and run.task_id
    assert out.startswith("已加入队列：tickets.check_overdue（周期 ") and run.task_id in out
    call_command("run_scheduler", "--once")  # the same period: nothing more
    assert capsys.readouterr().out == "" and PeriodicRun.objects.count() == 1


class _Result:
    def __init__(self, id):
        self.id = id
