"""jiceng's Chinese error pages while DEBUG is on (the demo, ``jiceng.settings.dev``).

With DEBUG on, Django answers a 404 with its English technical page listing every URL pattern, and a
``BadRequest`` / ``SuspiciousOperation`` with the debug traceback page, instead of the ``handler404`` /
``handler400`` of jiceng/urls.py. The demo keeps DEBUG on (it lets its administrators skip TOTP, and
says so), so this middleware, last in the dev settings' ``MIDDLEWARE``, answers those itself with the
very handlers production uses:

- an address no URL pattern matches (checked before the view runs, after the login and password gates
  of the outer middleware, as in production; ``CommonMiddleware``'s slash redirect still sees the 404);
- ``Http404`` raised by a view (an object that does not exist or lies outside the user's subtree);
- ``BadRequest`` / ``SuspiciousOperation`` raised by a view (e.g. more than 1,000 form fields).

A 403 needs nothing: Django renders ``handler403`` whatever DEBUG is. A 500 keeps the debug page in
the demo: it is a defect, not a situation a user is meant to meet, and its traceback is what a demo
user reports. Exceptions raised outside a view (a middleware reading an oversized body) keep Django's
DEBUG behaviour too.
"""

from __future__ import annotations

import logging

from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404
from django.urls import Resolver404, get_resolver, get_urlconf


def _error_response(request, status: int, exception: Exception):
    handler = get_resolver(get_urlconf()).resolve_error_handler(status)
    return handler(request, exception=exception)


class ChineseErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            get_resolver(getattr(request, "urlconf", None) or get_urlconf()).resolve(request.path_info)
        except Resolver404 as exc:
            return _error_response(request, 404, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return _error_response(request, 404, exception)
        if isinstance(exception, BadRequest | SuspiciousOperation):
            if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
                request._mark_post_parse_error()  # as Django does: the body cannot be read again
            if isinstance(exception, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{type(exception).__name__}")
                logger.error(str(exception), extra={"status_code": 400, "request": request})
            return _error_response(request, 400, exception)
        return None
