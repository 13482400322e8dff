from django.urls import include, path

from jiceng.core import entities
from jiceng.core.views import healthz
from jiceng.notices.urls import moved_patterns as notices_moved

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("jiceng.accounts.urls")),
    path("api/v1/", include("jiceng.api.urls")),
    path("", include("jiceng.dashboards.urls")),
    path("territory/", include("jiceng.territory.urls")),
    path("party/", include("jiceng.party.urls")),
    path("orgs/", include("jiceng.orgs.urls")),
    path("people/", include("jiceng.people.urls")),
    path("audit/", include("jiceng.audit.urls")),
    path("attachments/", include("jiceng.attachments.urls")),
    path("imports/", include("jiceng.imports.urls")),
    path("exports/", include("jiceng.exports.urls")),
    path("notices/", include("jiceng.notices.urls")),
    path("tickets/notifications/", include(notices_moved)),  # moved to /notices/ (permanent redirects)
    path("tickets/", include("jiceng.tickets.urls")),
    path("open311/v2/", include("jiceng.open311.urls")),
    *entities.urlpatterns(),  # every declared entity's pages (``jiceng.core.entities``)
]

handler404 = "jiceng.core.views.page_not_found"
handler403 = "jiceng.core.views.permission_denied"
handler500 = "jiceng.core.views.server_error"
handler400 = "jiceng.core.views.bad_request"
