"""``/api/v1/``: token, each app's resources (all restricted to the caller's subtree) and the schema.

The apps' ``api`` modules register their routes in ``jiceng.api.registry`` when they are imported here
(as the Django admin finds ``admin`` modules; only jiceng's own apps are searched); every declared entity with an
``api_name`` is added from ``jiceng.core.entities``.
"""

from importlib import import_module

from django.apps import apps
from django.urls import include, path
from django.utils.module_loading import module_has_submodule
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import entities, registry
from .auth import ObtainTokenView
from .registry import router

app_name = "api"

for config in apps.get_app_configs():  # territory, party, people, tickets, dashboards, imports: each registers itself
    if config.name.startswith("jiceng.") and module_has_submodule(config.module, "api"):
        import_module(f"{config.name}.api")
entities.register_all(router)  # every declared entity with an ``api_name`` (``jiceng.core.entities``)

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    # The schema and its Swagger UI are public documentation of the interface, not of any data.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[]), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[]),
        name="docs",
    ),
    *registry.urlpatterns,
    path("", include(router.urls)),
]
