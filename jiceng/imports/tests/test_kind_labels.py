"""Import kinds read in Chinese on the import pages: 居民, not ``residents``."""

import re

import pytest

from jiceng.imports.models import ImportJob

pytestmark = pytest.mark.django_db


def test_import_pages_name_the_kind_in_chinese(client, login):
    user = login("wenchang_worker")
    job = ImportJob.objects.create(owner=user, kind="residents", original_name="名单.xlsx", file="imports/x.xlsx")
    assert job.kind_label == "居民（实有人口）"
    home = client.get("/imports/").content.decode()
    row = re.search(rf"<tr><td>#{job.pk}</td><td>名单.xlsx</td><td>(.*?)</td>", home)
    assert row is not None and row.group(1) == "居民（实有人口）"
    detail = client.get(f"/imports/{job.pk}/").content.decode()
    assert "类型：居民（实有人口）；" in detail and "residents" not in detail.replace("/residents", "")
