"""Only street and district roles add areas: grid division is decided by the street (网格划分须经街道审定)."""

import pytest

from jiceng.accounts.roles import ROLES
from jiceng.core.errors import OutOfScope
from jiceng.core.tests.helpers import area, writes_nothing
from jiceng.territory.services import area_create


def test_only_street_and_district_roles_add_areas():
    holders = {code for code, role in ROLES.items() if role.has_perm("territory.add_area")}
    assert holders == {"district_admin", "street_admin"}
    assert ROLES["community_worker"].has_perm("territory.change_area")  # still edits attributes and boundaries


@pytest.mark.django_db
@pytest.mark.parametrize("kind, suffix", [("grid", "99"), ("quarter", "Q99")])
def test_community_worker_cannot_create_grids_or_quarters(personas, kind, suffix):
    wenchang = area("文昌花园社区")
    with pytest.raises(OutOfScope), writes_nothing():
        area_create(actor=personas.wenchang_worker, parent=wenchang, kind=kind, code=wenchang.code + suffix, name="新")


def test_permissions_doc_matches_the_roles():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "permissions.md").read_text()
    row = next(line for line in doc.splitlines() if line.startswith("| `community_worker`"))
    assert "add_area" not in row and "`territory.change_area`" in row
    assert "网格划分须经街道审定" in doc
