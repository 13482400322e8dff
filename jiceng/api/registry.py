"""What the apps put under ``/api/v1/``: each app's ``api`` module registers its resources here.

The Django admin's pattern: ``jiceng/api/urls.py`` imports every installed app's ``api`` module
(``autodiscover_modules("api")``), and each module adds its viewsets to :data:`router` and any other
route (a plain view, the app's own urlconf) with :func:`register_urls`. So ``jiceng.api`` imports no app
above it and sits low in the layers (docs/decisions/import-layers.md); the apps import its plumbing.
"""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
router.include_root_view = False

#: Routes other than the router's, in registration order (``INSTALLED_APPS`` order).
urlpatterns: list = []


def register_urls(*patterns) -> None:
    """Add ``path(...)`` entries (an ``include`` of the app's own urlconf, a single view) under ``/api/v1/``."""
    urlpatterns.extend(patterns)
