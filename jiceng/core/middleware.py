"""Hostile request input refused in one place, before any view or database sees it.

``HostileInputMiddleware`` answers 400 with a Chinese reason for:

* a NUL character (U+0000) in the path, in any GET or POST parameter (name or value), or in any string
  (key or value) of a JSON body — PostgreSQL cannot store or compare text containing NUL, and a query
  with one failed as a 500 wherever a parameter reached the database unvalidated (Open311, lookups, list
  and API filters, the login form's username that django-axes looks up);
* a JSON body nested deeper than ``MAX_JSON_DEPTH`` (Python's decoder raises ``RecursionError`` at about
  a thousand levels, which no endpoint caught);
* a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413), or more than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` /
  ``DATA_UPLOAD_MAX_NUMBER_FILES`` fields or files, or an unreadable multipart body.

Uploaded files are not inspected (a spreadsheet is binary and may contain NUL bytes; the importers read
them). Each refusal has the shape of the part of the site it came to: JSON ``{"detail": …}`` under
``/api/``, a GeoReport v2 error array under ``/open311/`` (``JICENG_ERROR_RESPONDERS`` names a responder
per path prefix, so ``core`` imports no app), the HTML error page elsewhere. ``core.views.bad_request``
(Django's ``handler400``) answers by the same rule.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.module_loading import import_string

NUL = "\x00"
NUL_MESSAGE = "请求中含有空字符（U+0000），无法处理，请删除后重试。"
DEPTH_MESSAGE = "请求的 JSON 嵌套层数过多（最多 {depth} 层）。"
TOO_BIG_MESSAGE = "请求体过大（上限 {size}），请缩小后重试；上传文件请使用文件字段。"
TOO_MANY_FIELDS_MESSAGE = "请求中的参数过多（最多 {count} 个）。"
TOO_MANY_FILES_MESSAGE = "请求中的文件过多（最多 {count} 个）。"
MULTIPART_MESSAGE = "请求格式错误：无法读取表单内容。"
BAD_REQUEST_MESSAGE = "请求有误，请检查输入后重试。"

#: No endpoint takes JSON nested deeper than this; deeper bodies are refused before they are parsed.
MAX_JSON_DEPTH = 32
_ESCAPED_NUL = re.compile(rb"\\u0000", re.IGNORECASE)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class Refused(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def error_response(request, status: int, message: str) -> HttpResponse:
    """The error answer for ``request``'s part of the site (see the module docstring)."""
    for prefix, responder in getattr(settings, "JICENG_ERROR_RESPONDERS", ()):
        if request.path.startswith(prefix):
            return import_string(responder)(request, status, message)
    return render(request, "errors/400.html", {"message": message, "status": status}, status=status)


def message_for(exc: BaseException) -> tuple[int, str]:
    """(status, Chinese message) for a refusal of the request body or its parameters."""
    if isinstance(exc, Refused):
        return exc.status, exc.message
    if isinstance(exc, RequestDataTooBig):
        size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        return 413, TOO_BIG_MESSAGE.format(size=f"{size / (1024 * 1024):.1f} MB")
    if isinstance(exc, TooManyFieldsSent):
        return 400, TOO_MANY_FIELDS_MESSAGE.format(count=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
    if isinstance(exc, TooManyFilesSent):
        return 400, TOO_MANY_FILES_MESSAGE.format(count=settings.DATA_UPLOAD_MAX_NUMBER_FILES)
    if isinstance(exc, MultiPartParserError):
        return 400, MULTIPART_MESSAGE
    return 400, BAD_REQUEST_MESSAGE


def _check_params(params) -> None:
    for key, values in params.lists():
        if NUL in key or any(NUL in value for value in values if isinstance(value, str)):
            raise Refused(NUL_MESSAGE)


def _check_json(body: bytes) -> None:
    """Refuse NUL characters and deep nesting in a JSON body. Bodies that are not JSON are left to the
    endpoint, which says so in its own words."""
    if b"\x00" in body:
        raise Refused(NUL_MESSAGE)
    # Cheap screens first: most bodies have neither an escaped NUL nor many brackets.
    if _ESCAPED_NUL.search(body) is None and body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return
    try:
        data = json.loads(body)
    except RecursionError:  # Python's decoder gives up at about a thousand levels
        raise Refused(DEPTH_MESSAGE.format(depth=MAX_JSON_DEPTH))
    except ValueError:
        return
    stack = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                raise Refused(NUL_MESSAGE)
        elif isinstance(item, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise Refused(DEPTH_MESSAGE.format(depth=MAX_JSON_DEPTH))
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


class HostileInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            self.check(request)
        except (Refused, SuspiciousOperation, MultiPartParserError) as exc:
            status, message = message_for(exc)
            return error_response(request, status, message)
        return self.get_response(request)

    @staticmethod
    def check(request) -> None:
        if NUL in request.path:
            raise Refused(NUL_MESSAGE)
        _check_params(request.GET)
        content_type = (request.content_type or "").lower()
        if request.method == "POST" and content_type in _FORM_TYPES:
            _check_params(request.POST)
        elif _is_json(content_type):
            _check_json(request.body)
