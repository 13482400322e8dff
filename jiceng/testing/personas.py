"""Named personas of the canonical demo tree (built by ``seed_demo``; see jiceng/demo/builder.py).

Siblings for scope tests: 龙蟠 ↔ 银花 (streets), 文昌花园 ↔ 陡岗 (communities), grid_wc01 ↔ grid_wc02 (grids).
"""

from __future__ import annotations

from jiceng.accounts.models import User
from jiceng.demo.builder import DEMO_PASSWORD

PASSWORD = DEMO_PASSWORD
PERSONAS = (
    "qu_admin", "longpan_admin", "yinhua_admin", "tongle_admin", "wenchang_worker", "dougang_worker",
    "grid_wc01", "grid_wc02", "member_demo", "resident_demo", "dept_chengguan", "unit_demo", "sysadmin", "secadmin", "auditor",
)  # fmt: skip

TEST_SCALE = 1500


def persona(username: str) -> User:
    """A fresh instance each call (its cached scope never leaks between tests)."""
    return User.objects.get(username=username)
