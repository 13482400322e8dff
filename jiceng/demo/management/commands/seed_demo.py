from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from jiceng.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from jiceng.demo.builder import build, demo_exists


class Command(BaseCommand):
    help = "建立演示辖区：南谯区（3 个街道、366 个网格、84 个小区及其党组织、居民、党员和演示账号）。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=20000, help="居民人数（默认 20000，最多 1000000）")
        parser.add_argument("--seed", type=int, default=20260101, help="随机种子（同一种子生成相同数据）")

    def handle(self, *args, scale, seed, **options):
        if not 100 <= scale <= 1_000_000:
            raise CommandError("--scale 应在 100 到 1000000 之间。")
        if demo_exists():
            self.stdout.write("演示辖区已存在，跳过生成。")
        else:
            build(scale, seed=seed, log=lambda msg: self.stdout.write(msg))
            # Fresh planner statistics: rows written by COPY are unknown to the planner until autovacuum
            # gets round to them, and until then it plans the lists for empty tables (sorts, not index order).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, label in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<16} {label}")
