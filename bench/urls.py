"""The application's URLs plus the floor: a bare view doing one indexed query, through the full middleware."""

from django.http import JsonResponse
from django.urls import path

from jiceng.territory.models import Area
from jiceng.urls import handler403, handler404, handler500  # noqa: F401
from jiceng.urls import urlpatterns as app_urlpatterns


def floor(request):
    row = Area.objects.filter(pk=1).values_list("id", "code").first()
    return JsonResponse({"area": row})


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *app_urlpatterns]
