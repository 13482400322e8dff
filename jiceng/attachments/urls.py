from django.urls import path

from .views import AttachmentFileView

app_name = "attachments"
urlpatterns = [path("<int:pk>/", AttachmentFileView.as_view(), name="file")]
