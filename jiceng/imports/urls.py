from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.import_home, name="home"),
    path("templates/<slug:kind>.xlsx", views.template_download, name="template"),
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/report.xlsx", views.report_download, name="report"),
]
