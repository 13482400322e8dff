from django.http import HttpResponsePermanentRedirect
from django.urls import path, reverse

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("read/", views.notice_read, name="read"),
    path("<int:pk>/", views.notice_open, name="open"),
    path("badge/", views.notice_badge, name="badge"),
]


class _PermanentRedirectKeepingMethod(HttpResponsePermanentRedirect):
    status_code = 308  # a POST (mark read) is repeated as a POST at the new address


def _moved(name, *, keep_method=False):
    def view(request, **kwargs):
        url = reverse(name, kwargs=kwargs)
        if request.META.get("QUERY_STRING"):
            url += "?" + request.META["QUERY_STRING"]
        return (_PermanentRedirectKeepingMethod if keep_method else HttpResponsePermanentRedirect)(url)

    return view


#: The pages' addresses before they moved out of ``tickets`` (bookmarks, old links in notices): mounted
#: at ``/tickets/notifications/`` by ``jiceng/urls.py``, each a permanent redirect to its new address.
moved_patterns = [
    path("", _moved("notices:list")),
    path("read/", _moved("notices:read", keep_method=True)),
    path("<int:pk>/", _moved("notices:open")),
    path("badge/", _moved("notices:badge")),
]
