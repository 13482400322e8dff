from django.urls import path

from .views import attachment_file

app_name = "attachments"
urlpatterns = [path("<int:pk>/", attachment_file, name="file")]
