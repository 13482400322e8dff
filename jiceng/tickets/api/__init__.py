"""The tickets API (``/api/v1/tickets/`` …): its routes are in ``urls.py``, registered here under ``/api/v1/``."""

from django.urls import include, path

from jiceng.api.registry import register_urls

register_urls(path("", include("jiceng.tickets.api.urls")))
