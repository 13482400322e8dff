"""``/api/v1/``: token, read-only resources (all restricted to the caller's subtree), stats and schema."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import entities, party, people, territory
from .auth import ObtainTokenView
from .stats import StatsView

app_name = "api"

router = DefaultRouter()
router.include_root_view = False
router.register("areas", territory.AreaViewSet, basename="area")
router.register("streets", territory.StreetViewSet, basename="street")
router.register("communities", territory.CommunityViewSet, basename="community")
router.register("grids", territory.GridViewSet, basename="grid")
router.register("quarters", territory.QuarterViewSet, basename="quarter")
router.register("buildings", territory.BuildingViewSet, basename="building")
router.register("households", territory.HouseholdViewSet, basename="household")
router.register("residents", people.ResidentViewSet, basename="resident")
router.register("resident-tags", people.ResidentTagViewSet, basename="residenttag")
router.register("workers", people.WorkerViewSet, basename="worker")
router.register("party-orgs", party.PartyOrgViewSet, basename="partyorg")
router.register("party-members", party.PartyMemberViewSet, basename="partymember")
router.register("committee-seats", party.CommitteeSeatViewSet, basename="committeeseat")
router.register("party-groups", party.PartyGroupViewSet, basename="partygroup")
router.register("central-households", party.CentralHouseholdViewSet, basename="centralhousehold")
entities.register_all(router)  # every declared entity with an ``api_name`` (``jiceng.core.entities``)

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("stats/", StatsView.as_view(), name="stats"),
    # The schema and its Swagger UI are public documentation of the interface, not of any data.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[]), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[]),
        name="docs",
    ),
    path("", include("jiceng.imports.api")),
    path("", include("jiceng.tickets.api.urls")),
    path("", include(router.urls)),
]
