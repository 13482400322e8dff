"""Every API error in Chinese, whatever language the request negotiated.

DRF's own messages are translated already when ``zh-hans`` is active, but a few are built from
Django's English (``No Resident matches the given query.`` — which also names the model) or raised
outside an active translation. Any error detail that is not already Chinese is replaced, by its
code, with the fixed Chinese message below. Django's ``ValidationError`` (raised by the services)
becomes a 400 with its messages, ``core.errors.Conflict`` (a life cycle's state moved on) a 409.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from jiceng.core.errors import Conflict

CJK = re.compile(r"[\u4e00-\u9fff]")

MESSAGES = {
    "not_authenticated": "身份认证信息未提供。",
    "authentication_failed": "认证令牌无效。",
    "permission_denied": "您没有执行该操作的权限。",
    "not_found": "未找到。",
    "method_not_allowed": "不允许使用“{method}”方法。",
    "not_acceptable": "无法满足请求头中的 Accept 要求。",
    "unsupported_media_type": "不支持请求中的媒体类型“{media_type}”。",
    "parse_error": "请求格式错误。",
    "throttled": "请求过于频繁，请稍后再试。",
    "invalid": "输入有误。",
    "error": "服务器错误。",
}


def _chinese(exc: exceptions.APIException, context) -> str:
    code = getattr(exc.detail, "code", None) or exc.default_code
    message = MESSAGES.get(code, MESSAGES["error"] if exc.status_code >= 500 else MESSAGES["invalid"])
    if code == "method_not_allowed":
        request = context.get("request")
        return message.format(method=getattr(request, "method", ""))
    if code == "unsupported_media_type":
        request = context.get("request")
        return message.format(media_type=getattr(request, "content_type", ""))
    if code == "throttled" and getattr(exc, "wait", None):
        return f"请求过于频繁，请在 {int(exc.wait)} 秒后重试。"
    return message


class StateConflict(exceptions.APIException):
    status_code = 409
    default_detail = "当前状态不允许此操作，可能已被他人处理，请刷新后重试。"
    default_code = "conflict"


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Conflict):  # a life cycle's state moved on (``core.workflow``): 409
        exc = StateConflict(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data.get("detail") if isinstance(response.data, dict) else None
    if isinstance(detail, str) and not CJK.search(detail):
        if not isinstance(exc, exceptions.APIException):  # Http404 / PermissionDenied, converted by DRF
            exc = exceptions.NotFound() if response.status_code == 404 else exceptions.PermissionDenied()
        response.data["detail"] = _chinese(exc, context)
    return response


def error_response(request, status: int, message: str):
    """A refusal before DRF saw the request (``core.middleware``, ``handler400``) in the API's shape."""
    from django.http import JsonResponse

    return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
