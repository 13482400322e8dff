from django.urls import include, path

from jiceng.core.entities import entity_for

from . import views
from .models import PartyGroup

groups = entity_for(PartyGroup)

app_name = "party"
urlpatterns = [
    path("orgs/", views.PartyOrgListView.as_view(), name="org_list"),
    path("orgs/add/", views.PartyOrgEditView.as_view(), name="org_add"),
    path("orgs/<int:pk>/", views.PartyOrgDetailView.as_view(), name="org_detail"),
    path("orgs/<int:pk>/edit/", views.PartyOrgEditView.as_view(), name="org_edit"),
    path("orgs/<int:org>/seats/add/", views.CommitteeSeatEditView.as_view(), name="seat_add"),
    path("seats/<int:pk>/edit/", views.CommitteeSeatEditView.as_view(), name="seat_edit"),
    path("orgs/<int:branch>/groups/add/", groups.view_classes["edit"].as_view(), name="branch_group_add"),
    path("term-alerts/", views.TermAlertListView.as_view(), name="term_alerts"),
    path("members/", views.PartyMemberListView.as_view(), name="member_list"),
    path("members/add/", views.PartyMemberEditView.as_view(), name="member_add"),
    path("members/<int:pk>/", views.PartyMemberDetailView.as_view(), name="member_detail"),
    path("members/<int:pk>/edit/", views.PartyMemberEditView.as_view(), name="member_edit"),
    path("groups/", include(groups.urls())),  # group_list, group_add, group_detail, group_edit (core.entities)
    path(
        "groups/<int:group>/central-households/add/",
        views.CentralHouseholdCreateView.as_view(),
        name="centralhousehold_add",
    ),
    path("central-households/", views.CentralHouseholdListView.as_view(), name="centralhousehold_list"),
    path("central-households/<int:pk>/", views.CentralHouseholdDetailView.as_view(), name="centralhousehold_detail"),
]
