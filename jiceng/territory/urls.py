from django.urls import path

from . import views

app_name = "territory"
urlpatterns = [
    path("streets/", views.StreetListView.as_view(), name="street_list"),
    path("communities/", views.CommunityListView.as_view(), name="community_list"),
    path("grids/", views.GridListView.as_view(), name="grid_list"),
    path("quarters/", views.QuarterListView.as_view(), name="quarter_list"),
    path("areas/<int:pk>/", views.AreaDetailView.as_view(), name="area_detail"),
    path("areas/<int:pk>/edit/", views.AreaEditView.as_view(), name="area_edit"),
    path("areas/<int:parent>/add/<str:kind>/", views.AreaCreateView.as_view(), name="area_add"),
    path("buildings/", views.BuildingListView.as_view(), name="building_list"),
    path("buildings/add/", views.BuildingEditView.as_view(), name="building_add"),
    path("buildings/<int:pk>/", views.BuildingDetailView.as_view(), name="building_detail"),
    path("buildings/<int:pk>/edit/", views.BuildingEditView.as_view(), name="building_edit"),
    path("households/", views.HouseholdListView.as_view(), name="household_list"),
    path("households/add/", views.HouseholdEditView.as_view(), name="household_add"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household_detail"),
    path("households/<int:pk>/edit/", views.HouseholdEditView.as_view(), name="household_edit"),
]
