"""Routes of the tickets API, registered by ``jiceng/tickets/api/__init__.py`` under ``/api/v1/``."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.include_root_view = False
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("ticket-categories", views.CategoryViewSet, basename="ticketcategory")
router.register("handler-orgs", views.OrganisationViewSet, basename="handlerorg")

urlpatterns = [
    path("tickets/stats/", views.TicketStatsView.as_view(), name="ticket-stats"),
    path("", include(router.urls)),
]
