"""Pages of the 诉求 loop: resident and grid-worker phone pages, the handler's desktop, stats.

Thin: every read starts from ``restrict`` (``get_scoped_object_or_404`` for one ticket); every write is
``services.ticket_create`` / ``ticket_transition`` / ``attachment_add``. A transition the state no longer
allows answers **409** with the service's Chinese message; one the user may not take answers 403; a
ticket outside the user's scope answers 404, exactly like a missing one.

Anonymous residents may report (with a name and a mobile number; at most ``anonymous_report`` reports per
client address and window) and follow their request with the ticket number and the *follow-up code*
shown once on submission (140 random bits, stored hashed: ``services.followup_code_*``). Wrong codes are
limited per ticket number and per client address (``jiceng.core.ratelimit``); only tickets a visitor
submitted without an account have a code.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jiceng.core import ratelimit
from jiceng.core.breadcrumbs import area_breadcrumbs
from jiceng.core.errors import Conflict, OutOfScope, join_messages
from jiceng.core.request_context import client_ip
from jiceng.core.scoping import get_scoped_object_or_404
from jiceng.core.views import ObjectListView
from jiceng.territory.choices import AreaKind
from jiceng.territory.models import Area

from . import policy, selectors, services, workflow
from .choices import OPEN_STATES, CategoryKind, Satisfaction, Status
from .filters import TicketFilterSet
from .forms import ActionForm, IntakeForm, PatrolForm, ReportForm, worker_buildings
from .models import Ticket, TicketAttachment
from .states import TRANSITIONS
from .tables import TicketTable, due_html
from .todo import todo_context

TICKET_RELATED = ("category", "grid", "building", "handler_org", "lead_org", "dispatcher_org", "whistle_org",
                  "handler_user", "merged_into", "recorded_by", "reporter_user")  # fmt: skip
EXTRA_EVENT_LABELS = {"merged_in": "并入", "auto_supervise": "自动督办", "remind": "临期提醒", "create": "登记"}
#: Events whose comment the reporter sees (internal notes such as 退单 reasons stay internal).
REPORTER_VISIBLE = {"submit", "accept", "reject", "merge", "answer_directly", "handle_on_spot", "sign", "progress",
                    "complete", "verify_pass", "callback_rate", "withdraw", "close_forcibly"}  # fmt: skip
#: One-click actions whose button posts at once; the others open their small form.
DANGER_ACTIONS = {"reject", "return", "close_forcibly", "verify_fail", "withdraw"}


# --- helpers -----------------------------------------------------------------------------------


def is_ticket_staff(user) -> bool:
    """Staff of a territory node (not a resident, a Party member or a department member)."""
    return bool(user.is_authenticated and user.scope.grants_with("tickets.view_ticket"))


def _client(request) -> str:
    return client_ip(request) or "unknown"


def local(value, fmt="%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else ""


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _create(actor, form) -> Ticket:
    """``ticket_create`` and the photos in one transaction (a refused photo writes no ticket)."""
    with transaction.atomic():
        result = services.ticket_create(actor=actor, **form.service_data())
        for upload in form.cleaned_data.get("photos") or []:
            services.attachment_add(actor=actor, ticket=result.obj, file=upload, at_intake=actor is None)
    return result


def timeline(ticket: Ticket, *, for_reporter: bool = False) -> list[dict]:
    rows = []
    for event in selectors.ticket_events(ticket):
        transition = TRANSITIONS.get(event.action)
        label = transition.label if transition else EXTRA_EVENT_LABELS.get(event.action, event.action)
        if event.action == "callback_rate" and event.data.get("satisfaction"):
            label += f"：{Satisfaction(event.data['satisfaction']).label}"
        comment = event.comment
        if for_reporter and event.action not in REPORTER_VISIBLE:
            comment = ""
        rows.append(
            {
                "at": local(event.created_at),
                "iso": timezone.localtime(event.created_at).isoformat(timespec="seconds"),
                "action": event.action,
                "label": label,
                "org": event.org.name if event.org else "",
                "actor": "" if for_reporter else event.actor_name,
                "status": event.get_to_status_display(),
                "changed": event.from_status != event.to_status,
                "comment": comment,
                "attachments": list(event.attachments.all()),
            }
        )
    return rows


def _ticket(request, pk) -> Ticket:
    qs = Ticket.objects.select_related(*TICKET_RELATED)
    return get_scoped_object_or_404(qs, request.user, "view", pk=pk)


# --- handler list and detail -------------------------------------------------------------------


class TicketListView(ObjectListView):
    """工单列表 (scoped): filters by status, category, channel, place, due time and 督办 level."""

    model = Ticket
    queryset = Ticket.objects.select_related("category", "grid", "handler_org")
    table_class = TicketTable
    filterset_class = TicketFilterSet
    title = "诉求工单"
    template_name = "tickets/ticket_list.html"

    def get(self, request, *args, **kwargs):
        if not is_ticket_staff(request.user) and request.user.is_authenticated:
            if not request.user.scope.grants_with("tickets.change_ticket") and not _is_unit_handler(request.user):
                return redirect("tickets:mine")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().exclude(status=Status.DRAFT)

    def get_extra_context(self):
        user = self.request.user
        return {"can_intake": bool(user.scope.grants_with("tickets.add_ticket"))}


def _is_unit_handler(user) -> bool:
    return any(g.role == "unit_handler" for g in user.scope.grants)


@login_required
def ticket_detail(request, pk):
    ticket = _ticket(request, pk)
    user = request.user
    services.notification_mark_read(actor=user, ticket=ticket)  # opening the ticket reads its notifications
    if policy.user_sees_as_reporter(user, ticket):
        return _follow_page(request, ticket, reporter=True)
    return render(request, "tickets/ticket_detail.html", detail_context(request, ticket))


def detail_context(request, ticket: Ticket, *, forms_by_action: dict | None = None) -> dict:
    user = request.user
    actions = workflow.allowed_actions(user, ticket)
    forms = forms_by_action or {}
    action_forms = [
        {"transition": TRANSITIONS[name], "form": forms.get(name) or ActionForm(action=name, ticket=ticket),
         "danger": name in DANGER_ACTIONS}
        for name in actions
    ]  # fmt: skip
    # The contact is masked for everyone but the reporter's own account; who must call back reveals it.
    sees_contact = policy.user_sees_reporter_contact(user, ticket)
    if ticket.anonymous and not sees_contact:
        reporter = "匿名"
    else:
        reporter = ticket.reporter_name if sees_contact else ticket.reporter_name_masked
    phone = ticket.reporter_phone if sees_contact else ticket.reporter_phone_masked
    can_reveal = (
        not sees_contact
        and bool(ticket.reporter_phone or ticket.reporter_name)
        and policy.user_may_reveal_reporter_contact(user, ticket)
    )
    duplicates = []
    if ticket.status in OPEN_STATES:
        duplicates = selectors.suggest_duplicates(ticket, user=user)
    extra = getattr(ticket, "open311", None)  # the Open311 facade's extras, when it filed the ticket
    return {
        "title": f"工单 {ticket.ticket_no}",
        "ticket": ticket,
        "object": ticket,
        "breadcrumbs": area_breadcrumbs(user, ticket.grid, tail=[{"name": ticket.ticket_no, "url": None}])
        if is_ticket_staff(user)
        else [],
        "events": timeline(ticket),
        "photos": [a for a in ticket.attachments.all() if a.action_id is None],
        "action_forms": action_forms,
        "reporter": reporter,
        "reporter_phone": phone,
        "can_reveal_contact": can_reveal,
        "due": due_html(ticket),
        "overdue": selectors.is_overdue(ticket),
        "duplicates": duplicates,
        "can_merge": "merge" in actions,
        "open311": extra,
        "open311_attributes": _attribute_rows(ticket, extra),
        "co_orgs": list(ticket.co_orgs.all()),
    }


def _attribute_rows(ticket: Ticket, extra) -> list[tuple[str, str]]:
    """The Open311 attribute values with the labels of the category's service definition."""
    if extra is None or not extra.attributes:
        return []
    rows = []
    for attr in ticket.category.attributes or []:
        code = attr.get("code")
        if code not in extra.attributes:
            continue
        names = {v.get("key"): v.get("name") for v in attr.get("values", [])}
        value = extra.attributes[code]
        values = value if isinstance(value, list) else [value]
        rows.append((attr.get("description") or code, "、".join(str(names.get(v, v)) for v in values)))
    return rows


@login_required
def ticket_act(request, pk, action):
    """One transition: GET shows its small form, POST applies it through ``ticket_transition``."""
    if action not in TRANSITIONS:
        raise Http404("未知的操作。")
    ticket = _ticket(request, pk)
    user = request.user
    reporter_view = not is_ticket_staff(user) and policy.user_is_reporter(user, ticket)
    if request.method == "GET":
        form = ActionForm(action=action, ticket=ticket)
        _for_reporter(form, reporter_view)
        return _act_page(request, ticket, action, form)
    form = ActionForm(request.POST, request.FILES, action=action, ticket=ticket)
    _for_reporter(form, reporter_view)
    if not form.is_valid():
        return _act_page(request, ticket, action, form, status=400)
    try:
        with transaction.atomic():
            payload = form.payload()
            ids = [
                services.attachment_add(actor=user, ticket=ticket, file=f).pk
                for f in form.cleaned_data.get("photos") or []
            ]
            if ids:
                payload["attachments"] = ids
            services.ticket_transition(actor=user, ticket=ticket, action=action, **payload)
    except Conflict as exc:
        return _act_page(request, ticket, action, form, status=409, error=str(exc))
    except OutOfScope as exc:
        raise Http404(str(exc))
    except PermissionDenied as exc:
        return _act_page(request, ticket, action, form, status=403, error=str(exc) or "您无权执行此操作。")
    except ValidationError as exc:
        _form_errors(form, exc)
        return _act_page(request, ticket, action, form, status=400)
    messages.success(request, f"已{TRANSITIONS[action].label}：{ticket.ticket_no}")
    return redirect("tickets:detail", pk=ticket.pk)


def _for_reporter(form, reporter_view: bool) -> None:
    if reporter_view:
        form.fields.pop("reasonable", None)  # a resident's 不满意 always counts (the callback centre judges it)
        form.fields.pop("photos", None)


def _act_page(request, ticket, action, form, *, status=200, error=""):
    context = {
        "title": f"{TRANSITIONS[action].label} · {ticket.ticket_no}",
        "ticket": ticket,
        "transition": TRANSITIONS[action],
        "form": form,
        "error": error,
        "due": due_html(ticket),
        "allowed": action in workflow.allowed_actions(request.user, ticket),
    }
    return render(request, "tickets/ticket_act.html", context, status=status)


@login_required
def reveal_contact(request, pk):
    """“查看联系方式”: POST a reason, get the reporter's name and phone of this one ticket (logged).

    htmx gets a fragment for the detail page, a plain POST a page. Not wrapped in a transaction: a
    refused attempt is itself audited and must stay written.
    """
    ticket = _ticket(request, pk)
    if request.method != "POST":
        return redirect("tickets:detail", pk=ticket.pk)
    template = "tickets/_contact_reveal_result.html" if request.htmx else "tickets/contact_reveal.html"
    context = {"title": f"查看诉求人联系方式 · {ticket.ticket_no}", "ticket": ticket}
    try:
        context.update(
            services.ticket_reveal_contact(actor=request.user, ticket=ticket, reason=request.POST.get("reason", ""))
        )
    except ValidationError as exc:
        context["error"] = join_messages(exc.messages)
        return render(request, template, context, status=400)
    except PermissionDenied as exc:
        context["error"] = str(exc)
        return render(request, template, context, status=403)
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"  # a revealed contact must not sit in a shared cache
    return response


@login_required
def attachment_file(request, pk, attachment):
    """A ticket's photo, only for who may see the ticket (the media directory is not public), and of a
    handler's internal step only for the handlers (``selectors.attachments_visible_to``)."""
    ticket = _ticket(request, pk)
    item = selectors.attachments_visible_to(request.user, ticket).filter(pk=attachment).first()
    if item is None or not item.file:
        raise Http404("未找到图片。")
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- intake ------------------------------------------------------------------------------------


ANONYMOUS_REPORT_LIMITED = (
    "提交过于频繁：同一网络 {minutes} 分钟内最多可匿名提交 {attempts} 件诉求，请稍后再试。"
    "情况紧急请拨打 12345 政务服务便民热线或 110。"
)
FOLLOWUP_WRONG = "工单编号或查询码不正确。"
FOLLOWUP_CLIENT_LIMITED = "查询次数过多，请 {minutes} 分钟后再试。"
FOLLOWUP_TICKET_LIMITED = "该工单的查询码输错次数过多，已暂停查询，请 {minutes} 分钟后再试；如需帮助，请联系所在社区。"


def report(request):
    """居民反映诉求 on a phone: logged in as a resident, or anonymous with a name and a mobile number."""
    user = request.user if request.user.is_authenticated else None
    if user is not None and user.scope.grants_with("tickets.add_ticket"):
        return redirect(f"{reverse('tickets:patrol')}?mode=behalf")
    if user is not None and not user.scope.has_perm("tickets.add_ticket"):
        raise PermissionDenied("您的账号不能以居民身份反映诉求。")
    form = ReportForm(request.POST or None, request.FILES or None, user=user)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        limit = ratelimit.limit("anonymous_report")
        if user is None and not limit.take(_client(request)):
            form.add_error(None, ANONYMOUS_REPORT_LIMITED.format(minutes=limit.minutes, attempts=limit.attempts))
            status = 429
        else:
            try:
                result = _create(user, form)
            except ValidationError as exc:
                _form_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or "无权提交。")
            else:
                ticket = result.obj
                if user is None:
                    return render(
                        request, "tickets/m/report_done.html",
                        {"title": "提交成功", "ticket": ticket, "code": ticket.followup_code},
                    )  # fmt: skip
                messages.success(request, f"诉求已提交，编号 {ticket.ticket_no}。我们会尽快受理。")
                return redirect("tickets:detail", pk=ticket.pk)
            if user is None:
                limit.give_back(_client(request))  # refused by the service: no ticket, no count
    return render(
        request, "tickets/m/report.html",
        {"title": "我要反映", "form": form, "anonymous": user is None, "kinds": CategoryKind},
        status=status,
    )  # fmt: skip


def _staff_record(request, form):
    """Staff recording (patrol, on behalf, hotline, visit): create and go to the ticket, or put the
    service's refusal on the form and return None so the page is shown again."""
    try:
        result = _create(request.user, form)
    except ValidationError as exc:
        _form_errors(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or "该位置不在您的管辖范围内。")
    else:
        for warning in result.warnings:
            messages.warning(request, warning)
        messages.success(request, f"已登记：{result.obj.ticket_no}")
        return redirect("tickets:detail", pk=result.obj.pk)
    return None


@login_required
def patrol(request):
    """网格员巡查上报 (``mode=patrol``) or 代居民登记 (``mode=behalf``, recorded_by = the worker)."""
    user = request.user
    if not user.scope.grants_with("tickets.add_ticket"):
        raise PermissionDenied("只有网格员和社区、街道工作人员可以登记巡查事件。")
    on_behalf = (request.POST.get("mode") or request.GET.get("mode")) == "behalf"
    form = PatrolForm(request.POST or None, request.FILES or None, user=user, on_behalf=on_behalf)
    if request.method == "POST" and form.is_valid():
        done = _staff_record(request, form)
        if done is not None:
            return done
    title = "代居民登记诉求" if on_behalf else "巡查上报"
    status = 400 if request.method == "POST" else 200
    context = {"title": title, "form": form, "on_behalf": on_behalf, "has_buildings": worker_buildings(user).exists()}
    return render(request, "tickets/m/patrol.html", context, status=status)


@login_required
def intake(request):
    """受理登记 (desktop): 12345 转办 (with the hotline's number), 来访, other platforms."""
    user = request.user
    if not user.scope.grants_with("tickets.add_ticket"):
        raise PermissionDenied("您没有登记诉求的权限。")
    form = IntakeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        done = _staff_record(request, form)
        if done is not None:
            return done
    status = 400 if request.method == "POST" else 200
    return render(request, "tickets/intake.html", {"title": "受理登记", "form": form}, status=status)


# --- 待办 -----------------------------------------------------------------------------------------


def may_handle_tickets(user) -> bool:
    """Ticket staff of a node or a department / unit member: who has a 待办."""
    return bool(user.is_authenticated and (user.scope.grants_with("tickets.change_ticket") or _is_unit_handler(user)))


@login_required
def todo(request):
    """我的待办: what awaits the user's action — to accept, sign, report, handle, approve, verify, call
    back — overdue first, each group with its count and a link to the whole list."""
    user = request.user
    if not may_handle_tickets(user):
        raise PermissionDenied("只有承办诉求的工作人员有待办。")
    return render(request, "tickets/todo.html", todo_context(user))


# --- the reporter's side -----------------------------------------------------------------------


@login_required
def mine(request):
    """我的诉求: what the user reported, or recorded for others."""
    user = request.user
    tickets = (
        Ticket.objects.restrict(user)
        .filter(Q(reporter_user=user) | Q(recorded_by=user))
        .exclude(status=Status.DRAFT)
        .select_related("category")
        .order_by("-submitted_at", "-id")
    )
    page = Paginator(tickets, 20).get_page(request.GET.get("page"))
    return render(request, "tickets/m/mine.html", {"title": "我的诉求", "page": page})


def _follow_page(request, ticket, *, reporter: bool, status: int = 200, anonymous_code: str = ""):
    user = request.user
    actions = workflow.allowed_actions(user, ticket) if reporter else []
    if anonymous_code:  # the anonymous reporter, proved by the lookup code
        actions = [a for a in ("callback_rate", "withdraw") if ticket.status in TRANSITIONS[a].sources]
    rate_form = None
    if "callback_rate" in actions:
        rate_form = ActionForm(action="callback_rate", ticket=ticket)
        _for_reporter(rate_form, True)
    context = {
        "title": f"诉求 {ticket.ticket_no}",
        "ticket": ticket,
        "events": timeline(ticket, for_reporter=True),
        "photos": [a for a in ticket.attachments.all() if a.action_id is None] if reporter else [],
        "result_photos": _result_photos(ticket) if reporter else [],
        "rate_form": rate_form,
        "can_withdraw": "withdraw" in actions,
        "due": local(ticket.due_at) if ticket.status in OPEN_STATES else "",
        "reporter": reporter,
        "anonymous_code": anonymous_code,
    }
    return render(request, "tickets/m/follow.html", context, status=status)


def _result_photos(ticket: Ticket) -> list[TicketAttachment]:
    return list(selectors.result_photos(ticket))


def _looked_up(request, number: str, code: str) -> tuple[Ticket | None, str, int]:
    """``(ticket, "", 200)`` when number and follow-up code match (an anonymous reporter's proof), else
    ``(None, error, status)``. Every try counts against the client and the ticket number; a right one is
    given back. Over either limit the code is not even compared (429)."""
    per_client, per_ticket = ratelimit.limit("followup_client"), ratelimit.limit("followup_ticket")
    client = _client(request)
    if not per_client.take(client):
        return None, FOLLOWUP_CLIENT_LIMITED.format(minutes=per_client.minutes), 429
    if not per_ticket.take(number):
        return None, FOLLOWUP_TICKET_LIMITED.format(minutes=per_ticket.minutes), 429
    ticket = Ticket.objects.filter(ticket_no=number).exclude(status=Status.DRAFT).first()
    if ticket is None or not services.followup_code_matches(ticket, code):
        return None, FOLLOWUP_WRONG, 404
    per_client.give_back(client)
    per_ticket.give_back(number)
    return ticket, "", 200


def lookup(request):
    """Anonymous follow-up: the ticket number and the lookup code given on submission.

    A POST with ``action=callback_rate`` (or ``withdraw``) lets the anonymous reporter rate (or withdraw)
    their own request: the number + code pair is the proof that they are its reporter. The page posts
    the code (it stays out of addresses and server logs); a GET with ``no`` and ``code`` works too.
    """
    data = request.POST if request.method == "POST" else request.GET
    number = (data.get("no") or "").strip()[:20]
    code = (data.get("code") or "").strip()[:100]
    error = ""
    status = 200
    if number or code:
        ticket, error, status = _looked_up(request, number, code)
        if ticket is not None:
            if request.method == "POST" and data.get("action"):
                action = data.get("action")
                form = (
                    ActionForm(request.POST, action="callback_rate", ticket=ticket)
                    if action == "callback_rate"
                    else None
                )
                try:
                    if action not in services.ANONYMOUS_REPORTER_ACTIONS - {"submit"}:
                        raise ValidationError("不支持的操作。")
                    if form is not None and not form.is_valid():
                        raise ValidationError("请选择满意度。")
                    payload = form.payload() if form is not None else {}
                    payload.pop("reasonable", None)
                    ticket = services.ticket_transition(
                        actor=None, ticket=ticket, action=action, _system_reporter=True, **payload
                    )
                    messages.success(request, "已提交，感谢您的评价。" if action == "callback_rate" else "诉求已撤销。")
                except Conflict as exc:
                    messages.error(request, str(exc))
                    status = 409
                except (ValidationError, PermissionDenied) as exc:
                    messages.error(request, join_messages(getattr(exc, "messages", [str(exc)])))
                    status = 400
            return _follow_page(request, ticket, reporter=False, anonymous_code=code, status=status)
    return render(request, "tickets/m/lookup.html", {"title": "查询诉求", "error": error, "no": number}, status=status)


# --- maps and statistics -----------------------------------------------------------------------


#: How far around a resident's own grid their map reaches (degrees, ≈ 1.5 km here).
NEARBY_DEGREES = 0.015


def _home_area(user) -> Area | None:
    """Where a resident lives (their grid) or a Party member reports (their community)."""
    if user.scope.household_id:
        return Area.objects.filter(buildings__households__pk=user.scope.household_id).first()
    if user.scope.report_community_id:
        return Area.objects.filter(pk=user.scope.report_community_id).first()
    return None


def grids_geojson(request):
    """Grid polygons for the location pickers: staff get their scope's grids; a resident (or Party member)
    the grids around where they live (their grid and its neighbours, not the whole district); anonymous
    reporters every active grid of the district (boundaries and names only — they are published)."""
    user = request.user
    qs = Area.objects.filter(kind=AreaKind.GRID, is_active=True)
    if user.is_authenticated and user.scope.grants_with("territory.view_area"):
        qs = qs.restrict(user)
    elif user.is_authenticated and (home := _home_area(user)) is not None and home.min_lng is not None:
        m = NEARBY_DEGREES
        qs = qs.filter(
            max_lng__gte=home.min_lng - m, min_lng__lte=home.max_lng + m,
            max_lat__gte=home.min_lat - m, min_lat__lte=home.max_lat + m,
        )  # fmt: skip
    features = [
        {"type": "Feature", "geometry": g.boundary, "properties": {"id": g.pk, "name": g.name}}
        for g in qs.only("id", "name", "boundary").order_by("code")
        if g.boundary
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


def _stats_node(request):
    user = request.user
    if not is_ticket_staff(user):
        raise PermissionDenied("只有辖区工作人员可以查看诉求统计。")
    if request.GET.get("node"):
        return get_scoped_object_or_404(
            Area.objects.exclude(kind=AreaKind.QUARTER), user, "view", pk=request.GET["node"]
        )
    grant = min(user.scope.grants_with("tickets.view_ticket"), key=lambda g: len(g.area_path))
    return Area.objects.get(pk=grant.area_id)


def _period(request):
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("date_from") or "")
    except ValueError:
        start = today - dt.timedelta(days=365)
    try:
        end = dt.date.fromisoformat(request.GET.get("date_to") or "")
    except ValueError:
        end = today
    return start, end


def _rate(value):
    return "—" if value is None else f"{value * 100:.1f}%"


@login_required
def stats(request):
    """诉求统计 of one node: current load, the 三率 with their definitions, times, trend and heat map."""
    user = request.user
    node = _stats_node(request)
    start, end = _period(request)
    data = selectors.ticket_stats(user, node, date_from=start, date_to=end)
    children = (
        Area.objects.restrict(user)
        .filter(path__startswith=node.path, depth=node.depth + 1)
        .exclude(kind=AreaKind.QUARTER)
        .order_by("code")
    )
    chart = {
        "by_category": [{"name": r["name"], "value": r["count"]} for r in data["by_category"]],
        "by_channel": [{"name": r["label"], "value": r["count"]} for r in data["by_channel"]],
        "trend": data["trend"],
    }
    context = {
        "title": f"诉求统计 · {node.name}",
        "node": node,
        "stats": data,
        "rates": {
            "response": _rate(data["response_rate"]),
            "resolution": _rate(data["resolution_rate"]),
            "satisfaction": _rate(data["satisfaction_rate"]),
        },
        "children": children,
        "date_from": start.isoformat(),
        "date_to": end.isoformat(),
        "chart": chart,
        "heat_url": f"{reverse('tickets:heat')}?node={node.pk}&date_from={start}&date_to={end}",
        "breadcrumbs": area_breadcrumbs(user, node, tail=[{"name": "诉求统计", "url": None}]),
    }
    return render(request, "tickets/stats.html", context)


@login_required
def heat(request):
    """Tickets per grid of the node (scoped), as GeoJSON for the heat map."""
    user = request.user
    node = _stats_node(request)
    start, end = _period(request)
    counts = {
        row["grid_id"]: row
        for row in Ticket.objects.restrict(user)
        .exclude(status=Status.DRAFT)
        .filter(scope_path__startswith=node.path, submitted_at__date__gte=start, submitted_at__date__lte=end)
        .values("grid_id")
        .annotate(total=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATES)))
    }
    grids = Area.objects.restrict(user).filter(kind=AreaKind.GRID, path__startswith=node.path).order_by("code")
    features = []
    for g in grids.only("id", "name", "boundary"):
        if not g.boundary:
            continue
        row = counts.get(g.pk, {})
        features.append(
            {
                "type": "Feature",
                "geometry": g.boundary,
                "properties": {"id": g.pk, "name": g.name, "total": row.get("total", 0), "open": row.get("open", 0)},
            }
        )
    total = sum(f["properties"]["total"] for f in features)
    return JsonResponse({"type": "FeatureCollection", "features": features, "total": total})
