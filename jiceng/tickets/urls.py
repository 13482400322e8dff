"""``/tickets/``: the pages of the 诉求 loop (the REST API is ``tickets/api``, Open311 is ``jiceng.open311``)."""

from django.urls import path

from . import config_views, views

app_name = "tickets"
urlpatterns = [
    path("", views.TicketListView.as_view(), name="list"),
    path("new/", views.intake, name="intake"),
    path("report/", views.report, name="report"),
    path("patrol/", views.patrol, name="patrol"),
    path("mine/", views.mine, name="mine"),
    path("todo/", views.todo, name="todo"),
    path("lookup/", views.lookup, name="lookup"),
    path("<int:pk>/", views.ticket_detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.ticket_act, name="act"),
    path("<int:pk>/reveal-contact/", views.reveal_contact, name="reveal_contact"),
    path("<int:pk>/photos/<int:attachment>/", views.attachment_file, name="photo"),
    path("stats/", views.stats, name="stats"),
    path("stats/heat.geojson", views.heat, name="heat"),
    path("map/grids.geojson", views.grids_geojson, name="grids_geojson"),
    path("settings/sla/", config_views.sla_rules, name="sla_rules"),
    path("settings/calendar/", config_views.calendar, name="calendar"),
]
