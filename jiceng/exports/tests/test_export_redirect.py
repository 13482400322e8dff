"""A refused export sends the user back to the list they came from, and only ever to a page of this site."""

from __future__ import annotations

import pytest

from jiceng.audit.models import SensitiveAccessLog
from jiceng.exports.models import ExportJob
from jiceng.exports.views import back_to_list

pytestmark = pytest.mark.django_db

OFF_SITE = [
    "//evil.example/people/residents/",
    "https://evil.example/people/residents/",
    "/\\evil.example/people/residents/",
]


@pytest.mark.parametrize("path", OFF_SITE)
def test_a_refused_export_never_redirects_off_site(personas, client, path):
    client.force_login(personas.wenchang_worker)
    # Reveal without a reason is refused with a message and a redirect back to the list.
    response = client.post("/exports/new/", {"path": path, "query": "", "reveal": "1", "reason": ""})
    if path.startswith("/\\"):
        assert response.status_code == 404  # not a list of this site at all
    else:
        assert response.status_code == 302
        assert response["Location"] == "/"
    assert not ExportJob.objects.exists() and not SensitiveAccessLog.objects.exists()


def test_a_refused_export_goes_back_to_the_list_with_its_filters(personas, client):
    client.force_login(personas.wenchang_worker)
    response = client.post("/exports/new/", {"path": "/people/residents/", "query": "grid=3&q=a", "reveal": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/people/residents/?grid=3&q=a"


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        *[(p, "", "/") for p in OFF_SITE],
        ("/\\evil.example", "", "/"),
        ("", "q=1", "/"),
        ("people/residents/", "", "/"),
        ("/people/residents/", "a=1\r\nSet-Cookie: x=1", "/"),
        ("/people/residents/", "", "/people/residents/"),
        ("/people/residents/", "grid=3", "/people/residents/?grid=3"),
    ],
)
def test_back_to_list_accepts_only_paths_of_this_site(rf, path, query, expected):
    request = rf.post("/exports/new/")
    assert back_to_list(request, path, query) == expected
