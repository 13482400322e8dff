"""``manage.py run_scheduler``: enqueue the periodic jobs, once per period, for ``db_worker`` to run.

Run one on every host that should keep the schedule going (``Procfile``: the ``scheduler`` process);
several are safe — each period is claimed by exactly one of them (``jiceng.periodic.services``).
``--once`` makes one pass and exits (for cron or a systemd timer instead of a long-running process).
"""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from jiceng.periodic.registry import jobs
from jiceng.periodic.services import periodic_due, scheduler_name


class Command(BaseCommand):
    help = "定时任务调度：每个周期把到期的定时任务（如工单超期检查）加入后台队列，多台主机同时运行也只执行一次。"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=10.0, help="两次检查之间的秒数（默认 10）。")
        parser.add_argument("--once", action="store_true", help="只检查一次后退出（供 cron / systemd timer 调用）。")

    def handle(self, *args, interval: float, once: bool, **options):
        if interval <= 0:
            raise CommandError("--interval 必须大于 0。")
        declared = jobs()
        name = scheduler_name()
        if not once:
            listing = "；".join(f"{job.name}（{job.every_label}）" for job in declared) or "无"
            self.say(f"定时任务调度已启动（{name}），每 {interval:g} 秒检查一次。任务：{listing}")
        stop = threading.Event()
        if not once:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
        seen: dict = {}
        while True:
            if not once:
                close_old_connections()  # a long-running process: drop connections that expired or broke
            for run in periodic_due(claimed_by=name, seen=seen):
                start = timezone.localtime(run.period_start)
                self.say(f"已加入队列：{run.job}（周期 {start:%Y-%m-%d %H:%M:%S}，后台任务 {run.task_id}）")
            if once or stop.wait(interval):
                break
        if not once:
            self.say("定时任务调度已停止。")

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()  # a pipe (honcho, journald) would otherwise hold the lines back
