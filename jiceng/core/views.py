"""Generic views (NetBox-style): every scoped read starts from ``restrict(user, action)`` here, once."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import EmptyResultSet, PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django_tables2 import RequestConfig

from . import counting
from .errors import OutOfScope
from .paginator import CappedPaginator
from .scoping import get_scoped_object_or_404, permission_name

PER_PAGE = 50
#: Tables a query reads (``FROM`` / ``JOIN``, subqueries included).
TABLE_RE = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)


def pk_url(viewname: str):
    """``pk → reverse(viewname, args=[pk])`` with one ``reverse`` for a whole table of links, not one
    per row (docs/decisions/scale.md, "List pages that decrypt nothing")."""
    head, tail = reverse(viewname, args=[0]).rsplit("0", 1)
    return lambda pk: f"{head}{pk}{tail}"


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", {"message": str(exception) if exception else ""}, status=403)


def server_error(request):
    return render(request, "errors/500.html", status=500)


def bad_request(request, exception=None):
    """Django's ``handler400`` (a ``SuspiciousOperation`` a view or middleware raised): JSON under ``/api/``,
    a GeoReport error under ``/open311/``, the HTML page elsewhere — as ``core.middleware`` answers."""
    from .middleware import error_response, message_for

    status, message = message_for(exception) if exception is not None else (400, "")
    return error_response(request, status, message)


def _key_value(value) -> str:
    """A filter's cleaned value as part of a cache key: a row by its primary key (``repr`` of a model
    instance is its ``__str__``, which two rows may share), anything else by ``repr``."""
    if isinstance(value, models.Model):
        return f"{value._meta.label}:{value.pk}"
    if isinstance(value, list | tuple | set | frozenset | models.QuerySet):
        return repr(sorted(_key_value(v) for v in value))
    return repr(value)


class ScopedViewMixin(LoginRequiredMixin):
    """Base for every view of a scoped model."""

    model = None
    queryset = None
    action = "view"

    def get_base_queryset(self):
        qs = self.queryset if self.queryset is not None else self.model._default_manager.all()
        return qs.all()

    def get_queryset(self):
        return self.get_base_queryset().restrict(self.request.user, self.action)

    def can(self, action: str) -> bool:
        return self.request.user.scope.has_perm(permission_name(self.model, action))

    def get_object(self, **lookup):
        return get_scoped_object_or_404(self.get_base_queryset(), self.request.user, self.action, **lookup)


class ObjectListView(ScopedViewMixin, View):
    """List with filters, search, sorting and pagination (django-filter + django-tables2)."""

    table_class = None
    filterset_class = None
    template_name = "generic/object_list.html"
    title = ""
    add_url = None

    def get_extra_context(self):
        return {}

    def get_filtered(self):
        """(filterset, rows): the caller's scope and filters. The Excel export writes the same rows."""
        qs = self.get_queryset()
        filterset = None
        if self.filterset_class is not None:
            filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
            if filterset.is_bound and not filterset.is_valid():
                qs = qs.none()
            else:
                qs = filterset.qs
        return filterset, qs

    #: A table of the register's full columns (every field a roster keeps, masked as on the list), offered
    #: as "完整台账列" by the export button; ``None``: the export carries the list's columns only.
    export_register_table_class = None

    def get_export_table(self, *, full_register: bool = False):
        """Every filtered row in the list's sort order, unpaginated (read by ``jiceng.exports``); with
        ``full_register`` in the register table's columns (all fields loaded, whatever the list defers)."""
        qs = self.get_filtered()[1]
        table_class = self.table_class
        if full_register and self.export_register_table_class is not None:
            table_class, qs = self.export_register_table_class, qs.defer(None)
        table = table_class(qs, request=self.request)
        RequestConfig(self.request, paginate=False).configure(table)
        return table

    #: (view class, the filters in use) → whether a count of that shape reads only versioned tables.
    _count_shapes: dict = {}

    def count_cache(self, qs, compute):
        """The list's capped count, cached until a committed write under the user's nodes.

        Counting a street's residents reads 10,001 index entries on every page view; the count is cached
        under the same per-node versions as the home numbers (the cache registered in ``core.counting``) — but
        only when every table the query reads is one whose writes bump those versions (a filter on
        special-population tags, or a list of tickets, is counted every time; decided from the count's SQL
        once per view and set of filters in use), and never inside a transaction. The key is the view, its
        URL arguments, the filters' cleaned values, the user and today's date (age filters), under the user's
        grants and the versions of their nodes."""
        filterset = getattr(self, "_filterset", None)
        applied: dict = {}
        if filterset is not None and filterset.is_bound:
            if not filterset.is_valid():
                return compute()  # ``qs.none()``: nothing to count
            # What the filters applied, by filter name (a range filter's two inputs are one value here).
            applied = {n: v for n, v in filterset.form.cleaned_data.items() if v not in (None, "", [], ())}
        active = tuple(sorted(applied))
        shape = (type(self), active)
        cacheable = self._count_shapes.get(shape)
        if cacheable is None:
            try:
                sql, _ = qs.order_by().query.sql_with_params()
            except EmptyResultSet:  # a filter that can match nothing (e.g. digits that are no phone)
                return compute()
            cacheable = self._count_shapes[shape] = set(TABLE_RE.findall(sql)) <= counting.versioned_tables()
        if not cacheable:
            return compute()
        user = self.request.user
        paths = [g.area_path for g in user.scope.grants]
        values = [(n, _key_value(applied[n])) for n in active]
        extra = f"{type(self).__module__}.{type(self).__qualname__}|{self.kwargs}|{values}|{user.pk}|{dt.date.today()}"
        return counting.cached("list-count", user, paths, extra, compute, using=qs.db)

    def get(self, request, *args, **kwargs):
        if not self.can(self.action):  # a list the role has no permission for is refused, not shown empty
            raise PermissionDenied("您没有查看该列表的权限。")
        filterset, qs = self.get_filtered()
        self._filterset = filterset
        # No ``request=`` here: django-tables2 would then paginate once by itself with Django's
        # Paginator (a full COUNT(*)) before ours runs. RequestConfig sets ``table.request``.
        table = self.table_class(qs)
        paginate = {"per_page": PER_PAGE, "paginator_class": CappedPaginator, "count_cache": self.count_cache}
        RequestConfig(request, paginate=paginate).configure(table)
        context = {
            "title": self.title or self.model._meta.verbose_name_plural,
            "table": table,
            "filterset": filterset,
            "model": self.model,
            "verbose_name": self.model._meta.verbose_name,
            "add_url": self.add_url if self.add_url and self.can("add") else None,
            "can_export": self.can("export"),
            "export_register": self.export_register_table_class is not None,
            **self.get_extra_context(),
        }
        template = "generic/object_list_partial.html" if getattr(request, "htmx", False) else self.template_name
        return render(request, template, context)


class ObjectDetailView(ScopedViewMixin, View):
    template_name = None

    def get_extra_context(self, obj):
        return {}

    def get(self, request, pk):
        obj = self.get_object(pk=pk)
        context = {"object": obj, "title": str(obj), "can_change": self.can("change"), **self.get_extra_context(obj)}
        return render(request, self.template_name, context)


class ObjectEditView(ScopedViewMixin, View):
    """Create (``pk`` absent) or edit. The form cleans input; ``save()`` calls the service, which checks
    scope on the target node again inside its transaction and writes the audit row."""

    form_class = None
    template_name = "generic/object_edit.html"

    def get_object_for_edit(self, pk):
        return get_scoped_object_or_404(self.get_base_queryset(), self.request.user, "change", pk=pk)

    def get_initial(self):
        return {}

    def get_form_kwargs(self):
        return {}

    def save(self, form, obj):
        raise NotImplementedError

    def success_url(self, obj):
        return obj.get_absolute_url()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.can("change" if kwargs.get("pk") else "add"):
            raise PermissionDenied("您没有执行此操作的权限。")
        return super().dispatch(request, *args, **kwargs)

    def _render(self, form, obj, status=200):
        verb = "编辑" if obj is not None else "新建"
        context = {"form": form, "object": obj, "title": f"{verb}{self.model._meta.verbose_name}", "model": self.model}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk=None, **kwargs):
        obj = self.get_object_for_edit(pk) if pk else None
        form = self.form_class(instance=obj, initial=self.get_initial(), user=request.user, **self.get_form_kwargs())
        return self._render(form, obj)

    def post(self, request, pk=None, **kwargs):
        obj = self.get_object_for_edit(pk) if pk else None
        form = self.form_class(request.POST, request.FILES, instance=obj, user=request.user, **self.get_form_kwargs())
        if not form.is_valid():
            return self._render(form, obj, status=400)
        try:
            with transaction.atomic():
                result = self.save(form, obj)
        except ValidationError as exc:
            _add_errors(form, exc)
            return self._render(form, obj, status=400)
        except (OutOfScope, Http404) as exc:
            form.add_error(None, str(exc) or "目标不在您的管辖范围内，操作被拒绝。")
            return self._render(form, obj, status=403)
        except IntegrityError:
            # Two people saved at once and a database constraint refused the second (e.g. the same
            # generated code): nothing was written; say so instead of failing with a 500.
            form.add_error(None, "保存时与他人的修改冲突，未作任何更改，请重新提交。")
            return self._render(form, obj, status=409)
        for warning in getattr(result, "warnings", []):
            messages.warning(request, warning)
        messages.success(request, f"已保存{self.model._meta.verbose_name}“{result.obj}”。")
        return redirect(self.success_url(result.obj))


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message if target else f"{_label(form, field)}{message}")
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _label(form, field):
    model = getattr(form._meta, "model", None)
    if model is None:
        return ""
    try:
        return f"{model._meta.get_field(field).verbose_name}："
    except Exception:  # noqa: BLE001 - unknown field name: show the bare message
        return ""


def healthz(request):
    """Liveness + database check for load balancers (no data, no login)."""
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
