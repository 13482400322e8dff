from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("coverage/", views.coverage, name="coverage"),
    path("overview/", views.overview, name="overview"),
    path("map/", views.grid_map, name="map"),
    path("map/communities/<int:community>/grids.geojson", views.grid_geojson, name="grid_geojson"),
]
