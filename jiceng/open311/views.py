"""Open311 GeoReport v2 under ``/open311/v2/`` — plain Django views so XML and JSON are exactly ours.

Decisions (docs in the discovery document and ``jiceng/open311/README``-style docstrings):

* Reads (services, requests) are anonymous, like every public GeoReport v2 endpoint; they show only
  the public fields (``selectors.request_dict``). POST needs ``api_key`` (403 without a valid one).
* ``jurisdiction_id`` is accepted and must be ours (``JICENG_OPEN311_JURISDICTION``) when given.
* POST answers synchronously with ``service_request_id`` (the ticket number) and no ``token``: the
  specification returns one **or** the other, a token only when the request is created later. Every
  request still stores a token, and ``tokens/{token}`` resolves it to the same id.
* Errors are arrays of ``{code, description}``: 404 unknown resource, 403 missing/invalid key, 400
  anything else. An empty optional parameter is treated as absent.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from jiceng.tickets.models import Category

from . import selectors
from .formats import errors, respond
from .models import Open311Request
from .services import api_key_authenticate, open311_request_create

CHANGESET = "2026-03-01T00:00:00+08:00"
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


class BadRequest(Exception):
    pass


def param(request, name: str) -> str | None:
    """A GET or POST parameter; empty means absent (GeoReport v2)."""
    source = request.POST if request.method == "POST" else request.GET
    value = source.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            f"{field}：{m}" if field not in ("__all__",) else m for field, ms in exc.message_dict.items() for m in ms
        ]
    return list(exc.messages)


def open311(methods=("GET",)):
    """Wrap a view: check method and jurisdiction, turn exceptions into GeoReport v2 error arrays."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, fmt="json", **kwargs):
            if request.method not in methods:
                return errors(fmt, 400, f"不支持 {request.method} 方法，请使用 {'、'.join(methods)}。")
            jurisdiction = param(request, "jurisdiction_id")
            if jurisdiction is not None and jurisdiction != selectors.jurisdiction_id():
                return errors(fmt, 404, f"未知的 jurisdiction_id：{jurisdiction}。")
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except ValidationError as exc:
                return errors(fmt, 400, *_messages(exc))
            except BadRequest as exc:
                return errors(fmt, 400, str(exc))
            except PermissionDenied as exc:
                return errors(fmt, 403, str(exc) or "无权执行此操作。")
            except Http404 as exc:
                return errors(fmt, 404, str(exc) or "未找到该资源。")

        return wrapper

    return decorate


@open311()
def discovery(request, fmt):
    base = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": CHANGESET,
        "contact": "南谯区 12345 政务服务便民热线；接口问题请联系区数据资源管理部门。",
        "key_service": "向区数据资源管理部门申请 api_key；读取接口无需密钥。",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond("discovery", data, fmt)


@open311()
def service_list(request, fmt):
    return respond("services", selectors.services(), fmt)


@open311()
def service_definition(request, fmt, service_code):
    category = Category.objects.filter(service_code=service_code, is_active=True).first()
    if category is None:
        raise Http404(f"未知的服务代码：{service_code}。")
    return respond("service_definition", selectors.service_definition(category), fmt)


def _attributes(post) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key in post:
        match = ATTRIBUTE_RE.match(key)
        if match:
            found.setdefault(match.group(1), []).extend(post.getlist(key))
    return found


def _post_request(request, fmt):
    api_key = api_key_authenticate(param(request, "api_key"))
    if api_key is None:
        raise PermissionDenied("缺少或无效的 api_key。" if param(request, "api_key") else "缺少 api_key。")
    code = param(request, "service_code")
    if code is None:
        raise BadRequest("缺少 service_code。")
    category = Category.objects.filter(service_code=code, is_active=True).first()
    if category is None:
        raise BadRequest(f"未知的服务代码：{code}。")
    result = open311_request_create(
        api_key=api_key,
        category=category,
        lat=param(request, "lat"),
        lng=param(request, "long"),
        address_string=param(request, "address_string") or "",
        address_id=param(request, "address_id"),
        attributes=_attributes(request.POST),
        description=request.POST.get("description", ""),
        first_name=param(request, "first_name") or "",
        last_name=param(request, "last_name") or "",
        phone=param(request, "phone") or "",
        email=param(request, "email") or "",
        device_id=param(request, "device_id") or "",
        account_id=param(request, "account_id") or "",
        media_url=param(request, "media_url") or "",
    )
    extra = result.obj
    # Created synchronously: the id, and no token (GeoReport v2 returns a token only when the id is not
    # yet known). ``tokens/{token}`` still resolves the token stored with the request.
    row = {
        "service_request_id": extra.ticket.ticket_no,
        "service_notice": selectors.service_notice(extra.ticket),
        "account_id": extra.account_id or None,
    }
    return respond("requests", [row], fmt, status=201)


#: The dates a query may name: outside them no request exists, and the arithmetic of the default span and
#: the conversion to UTC would leave the range of Python's dates (``0001-01-01`` was a 500).
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def _when(value: str, name: str) -> dt.datetime:
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is None:
                raise BadRequest(f"{name} 须为 ISO 8601 日期时间，如 2026-03-01T00:00:00+08:00。")
            parsed = dt.datetime.combine(day, dt.time.min)
    except ValueError:  # well-formed but impossible: month 13, day 45, hour 25, offset +99:00
        raise BadRequest(f"{name} 不是有效的日期时间（月、日、时、分、秒或时区偏移超出范围）：{value}。")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    if not EARLIEST <= parsed < LATEST:
        raise BadRequest(f"{name} 须在 1970 年至 2099 年之间。")
    return parsed


@open311(methods=("GET", "POST"))
def requests_view(request, fmt):
    if request.method == "POST":
        return _post_request(request, fmt)
    api_key = api_key_authenticate(param(request, "api_key"))
    qs = selectors.public_requests(api_key)
    ids = param(request, "service_request_id")
    if ids is not None:
        wanted = [i.strip() for i in ids.split(",") if i.strip()]
        qs = qs.filter(ticket_no__in=wanted)
    else:
        codes = param(request, "service_code")
        if codes is not None:
            qs = qs.filter(category__service_code__in=[c.strip() for c in codes.split(",") if c.strip()])
        start, end = param(request, "start_date"), param(request, "end_date")
        span = dt.timedelta(days=selectors.DEFAULT_SPAN_DAYS)
        end_at = _when(end, "end_date") if end else None
        start_at = _when(start, "start_date") if start else None
        if start_at and end_at and end_at < start_at:
            raise BadRequest("end_date 不能早于 start_date。")
        if start_at and end_at and end_at - start_at > span:
            raise BadRequest(f"start_date 与 end_date 的间隔不能超过 {selectors.DEFAULT_SPAN_DAYS} 天。")
        if end_at is None:
            end_at = start_at + span if start_at else timezone.now()
        if start_at is None:
            start_at = end_at - span
        qs = qs.filter(submitted_at__gte=start_at, submitted_at__lte=end_at)
        statuses = param(request, "status")
        if statuses is not None:
            wanted = {s.strip().lower() for s in statuses.split(",") if s.strip()}
            if not wanted <= {selectors.OPEN, selectors.CLOSED}:
                raise BadRequest("status 只能是 open 或 closed。")
            if wanted == {selectors.OPEN}:
                qs = qs.filter(status__in=list(selectors.OPEN_STATES))
            elif wanted == {selectors.CLOSED}:
                qs = qs.exclude(status__in=list(selectors.OPEN_STATES))
    rows = [selectors.request_dict(t) for t in qs[: selectors.MAX_RESULTS]]
    return respond("requests", rows, fmt)


@open311()
def request_detail(request, fmt, service_request_id):
    api_key = api_key_authenticate(param(request, "api_key"))
    ticket = selectors.public_requests(api_key).filter(ticket_no=service_request_id).first()
    if ticket is None:
        raise Http404(f"未找到诉求：{service_request_id}。")
    return respond("requests", [selectors.request_dict(ticket)], fmt)


@open311()
def token_detail(request, fmt, token):
    extra = Open311Request.objects.select_related("ticket").filter(token=token).first()
    if extra is None:
        raise Http404(f"未找到令牌：{token}。")
    return respond("requests", [{"service_request_id": extra.ticket.ticket_no, "token": extra.token}], fmt)


@csrf_exempt
def not_found(request, path=""):
    fmt = "xml" if path.endswith(".xml") else "json"
    return errors(fmt, 404, f"未知的资源：/open311/v2/{path}")
