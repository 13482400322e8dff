from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("residents/", views.ResidentListView.as_view(), name="resident_list"),
    path("residents/add/", views.ResidentEditView.as_view(), name="resident_add"),
    path("residents/<int:pk>/", views.ResidentDetailView.as_view(), name="resident_detail"),
    path("residents/<int:pk>/edit/", views.ResidentEditView.as_view(), name="resident_edit"),
    path("residents/<int:pk>/reveal/", views.ResidentRevealView.as_view(), name="resident_reveal"),
    path("residents/<int:resident>/tags/add/", views.ResidentTagCreateView.as_view(), name="resident_tag_add"),
    path("workers/", views.WorkerListView.as_view(), name="worker_list"),
    path("workers/add/", views.WorkerEditView.as_view(), name="worker_add"),
    path("workers/<int:pk>/", views.WorkerDetailView.as_view(), name="worker_detail"),
    path("workers/<int:pk>/edit/", views.WorkerEditView.as_view(), name="worker_edit"),
    path("workers/<int:pk>/reveal/", views.WorkerRevealView.as_view(), name="worker_reveal"),
]
