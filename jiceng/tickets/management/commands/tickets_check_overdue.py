"""``manage.py tickets_check_overdue``: one pass of the overdue job, by hand (``run_scheduler`` queues it every 10 min)."""

from django.core.management.base import BaseCommand

from jiceng.tickets.tasks import check_overdue_now


class Command(BaseCommand):
    help = "检查工单时限：临期提醒、超期黄牌、黄牌 5 个工作日后红牌、吹哨报到超时提醒（可重复执行）。"

    def handle(self, *args, **options):
        done = check_overdue_now()
        self.stdout.write(
            f"临期提醒 {done['reminded']} 件，黄牌 {done['yellow']} 件，红牌 {done['red']} 件，吹哨超时 {done['whistle']} 件。"
        )
