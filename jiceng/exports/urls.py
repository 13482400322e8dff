from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("new/", views.export_create, name="create"),
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/download/", views.job_download, name="job_download"),
]
