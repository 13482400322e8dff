"""The pages a declared entity (``core.entities.Entity``) gets: list (filter, search, sort, paginate,
export), detail, create, edit, delete with a confirmation page, its files behind a scope check, and —
when it declares a ``workflow`` — a page per action of its life cycle.

Built on the generic views of ``core.views``; the form, table and filter set are made from the
declaration unless it names its own.
"""

from __future__ import annotations

import copy

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse, reverse_lazy
from django.views import View

from .errors import Conflict
from .filters import ScopedFilterSet
from .forms import DateInput, ServiceModelForm
from .views import ObjectDetailView, ObjectEditView, ObjectListView, ScopedViewMixin


def search_q(fields, value: str) -> Q:
    q = Q()
    for name in fields:
        q |= Q(**{f"{name}__icontains": value.strip()})
    return q


def form_class(entity):
    if entity.form_class is not None:
        return entity.form_class
    dates = {f.name: DateInput() for f in entity.model._meta.fields if f.get_internal_type() == "DateField"}
    meta = type("Meta", (), {"model": entity.model, "fields": list(entity.fields), "widgets": dates})
    return type(f"{entity.model.__name__}Form", (ServiceModelForm,), {"Meta": meta})


def table_class(entity):
    if entity.table_class is not None:
        return entity.table_class
    first, *rest = entity.list_display
    attrs = {first: tables.Column(linkify=True)}
    attrs["Meta"] = type(
        "Meta", (), {"model": entity.model, "fields": (first, *rest), "empty_text": f"暂无{entity.verbose_name}"}
    )
    return type(f"{entity.model.__name__}Table", (tables.Table,), attrs)


def filterset_class(entity):
    if entity.filterset_class is not None:
        return entity.filterset_class
    attrs = {}
    if entity.search_fields:
        labels = "、".join(str(entity.model._meta.get_field(n).verbose_name) for n in entity.search_fields)
        attrs["q"] = django_filters.CharFilter(label=labels, method="search")
        attrs["search"] = lambda self, qs, name, value: qs.filter(search_q(entity.search_fields, value))
    fields = (["q"] if entity.search_fields else []) + list(entity.filters)
    attrs["Meta"] = type("Meta", (), {"model": entity.model, "fields": fields})
    return type(f"{entity.model.__name__}FilterSet", (ScopedFilterSet,), attrs)


class EntityMixin:
    entity = None

    def get_base_queryset(self):
        return self.entity.queryset()


class EntityListView(EntityMixin, ObjectListView):
    def get_extra_context(self):
        return {"entity": self.entity}


class EntityDetailView(EntityMixin, ObjectDetailView):
    template_name = "generic/object_detail.html"

    def get_extra_context(self, obj):
        rows = []
        for name in self.entity.detail_fields:
            field = obj._meta.get_field(name)
            value = getattr(obj, name)
            if name in self.entity.file_fields:
                url = reverse(self.entity.url_name(name), args=[obj.pk]) if value else ""
                rows.append((field.verbose_name, value, url, True))
                continue
            display = getattr(obj, f"get_{name}_display", None)
            value = display() if display else value
            url = value.get_absolute_url() if hasattr(value, "get_absolute_url") else ""
            rows.append((field.verbose_name, value, url, False))
        return {
            "rows": rows,
            "verbose_name": self.entity.verbose_name,
            "edit_url": reverse(self.entity.url_name("edit"), args=[obj.pk]),
            "delete_url": reverse(self.entity.url_name("delete"), args=[obj.pk]) if self.can("delete") else "",
            **(workflow_context(self.entity, obj, self.request.user) if self.entity.workflow else {}),
            **(attachments_context(self.entity, obj, self.can("change")) if self.entity.attachments else {}),
        }


def attachment_row(attachment) -> dict:
    return {
        "id": attachment.pk,
        "name": str(attachment),
        "size": attachment.size,
        "content_type": attachment.content_type,
        "is_image": attachment.content_type.startswith("image/"),
        "url": reverse("attachments:file", args=[attachment.pk]),
        "uploaded_by": str(attachment.uploaded_by) if attachment.uploaded_by_id else "",
        "created_at": attachment.created_at,
    }


def attachments_context(entity, obj, can_change: bool) -> dict:
    from .entities import attachment_store

    rows = [attachment_row(a) for a in attachment_store()["listing"](obj)]
    url = reverse(entity.url_name("attachments"), args=[obj.pk]) if can_change else ""
    return {"attachments_label": entity.attachments, "attachments": rows, "attach_url": url}


def workflow_context(entity, obj, user) -> dict:
    """The state, the actions ``user`` may take now (label, URL) and the event history, oldest first."""
    wf = entity.workflow
    actions = [
        (wf.by_action[name].label, reverse(entity.url_name(name), args=[obj.pk]))
        for name in wf.allowed_actions(user, obj)
    ]
    events = []
    if wf.event_model is not None:
        rows = wf.event_model.objects.filter(**{wf.event_fk: obj}).select_related("actor").order_by("created_at", "pk")
        for e in rows:
            known = wf.by_action.get(e.action)
            label = known.label if known else e.action
            events.append((e.created_at, e.actor, label, wf.state_label(e.to_status), e.comment))
    return {"state_label": wf.state_label(wf.state_of(obj)), "actions": actions, "events": events}


def action_form_class(entity, transition):
    """A form of the action's payload: its required and optional keys and the workflow's common ones."""
    keys = dict.fromkeys((*transition.required, *transition.optional, *entity.workflow.common))
    attrs = {}
    for key in keys:
        own = entity.payload_fields.get(key)
        if own is None:
            field = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
        else:
            field = copy.deepcopy(own)
        field.label = entity.payload_labels.get(key) or field.label or key
        field.required = key in transition.required
        attrs[key] = field
    return type(f"{entity.model.__name__}{transition.action.title()}Form", (forms.Form,), attrs)


class EntityEditView(EntityMixin, ObjectEditView):
    def save(self, form, obj):
        data = form.service_data()
        for name in self.entity.file_fields:
            if data.get(name) is False:  # "清除" ticked
                data[name] = ""
            elif not data.get(name):  # nothing uploaded: no change
                data.pop(name, None)
        if obj is None:
            return self.entity.service.create(actor=self.request.user, **data)
        return self.entity.service.update(actor=self.request.user, obj=obj, **data)


class EntityDeleteView(EntityMixin, ScopedViewMixin, View):
    """``GET``: the confirmation page; ``POST``: the delete (audited, scope-checked in the service)."""

    action = "delete"
    template_name = "generic/object_confirm_delete.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.can("delete"):
            raise PermissionDenied("您没有删除该记录的权限。")
        return super().dispatch(request, *args, **kwargs)

    def _render(self, obj, error="", status=200):
        context = {"object": obj, "title": f"删除{self.entity.verbose_name}", "error": error}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self._render(self.get_object(pk=pk))

    def post(self, request, pk):
        obj = self.get_object(pk=pk)
        try:
            self.entity.service.delete(actor=request.user, obj=obj)
        except ValidationError as exc:
            return self._render(obj, "；".join(exc.messages), status=400)
        messages.success(request, f"已删除{self.entity.verbose_name}“{obj}”。")
        return redirect(reverse(self.entity.url_name("list")))


class EntityFileView(EntityMixin, ScopedViewMixin, View):
    """A stored file of a row the user may view (never a public media URL)."""

    field = ""

    def get(self, request, pk):
        if not self.can("view"):
            raise PermissionDenied("您没有查看该记录的权限。")
        stored = getattr(self.get_object(pk=pk), self.field)
        if not stored:
            raise Http404("没有文件。")
        return FileResponse(stored.open("rb"))


class EntityActionView(EntityMixin, ScopedViewMixin, View):
    """One action of the entity's life cycle. ``GET``: the form of its payload; ``POST``:
    ``workflow.transition`` — a refusal (bad payload 400, not the user's turn 403, the state moved on 409)
    is shown in Chinese on the same form and writes nothing."""

    transition = None
    template_name = "generic/object_action.html"

    def _render(self, obj, form, error="", status=200):
        context = {
            "object": obj,
            "form": form,
            "error": error,
            "title": f"{self.transition.label}{self.entity.verbose_name}",
            "label": self.transition.label,
            "state_label": self.entity.workflow.state_label(self.entity.workflow.state_of(obj)),
            "allowed": self.transition.action in self.entity.workflow.allowed_actions(self.request.user, obj),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        obj = self.get_object(pk=pk)
        return self._render(obj, action_form_class(self.entity, self.transition)())

    def post(self, request, pk):
        obj = self.get_object(pk=pk)
        form = action_form_class(self.entity, self.transition)(request.POST)
        try:
            self.entity.workflow.precheck(request.user, obj, self.transition.action)  # 409 / 403 before 400
            if not form.is_valid():
                return self._render(obj, form, status=400)
            payload = {k: v for k, v in form.cleaned_data.items() if v not in ("", None, [])}
            self.entity.workflow.transition(actor=request.user, obj=obj, action=self.transition.action, **payload)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, errors in exc.message_dict.items():
                    form.add_error(key if key in form.fields else None, errors)
                return self._render(obj, form, status=400)
            return self._render(obj, form, "；".join(exc.messages), status=400)
        except Conflict as exc:
            return self._render(obj, form, str(exc), status=409)
        except PermissionDenied as exc:
            return self._render(obj, form, str(exc) or "您无权执行该操作。", status=403)
        messages.success(request, f"已{self.transition.label}：{obj}。")
        return redirect(reverse(self.entity.url_name("detail"), args=[obj.pk]))


class EntityAttachView(EntityMixin, ScopedViewMixin, View):
    """``POST``: files onto the row (each checked by its bytes, all or nothing; the actor must be allowed
    to change the row), back to the detail page with the result; ``GET``: the detail page."""

    def get(self, request, pk):
        return redirect(reverse(self.entity.url_name("detail"), args=[self.get_object(pk=pk).pk]))

    def post(self, request, pk):
        from .entities import attachment_store

        obj = self.get_object(pk=pk)
        if not self.can("change"):
            raise PermissionDenied("您没有为该记录上传附件的权限。")
        files = request.FILES.getlist("file")
        try:
            rows = attachment_store()["attach"](
                actor=request.user, target=obj, files=files, purpose=self.entity.attachments
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已上传{len(rows)}个{self.entity.attachments}。")
        return redirect(reverse(self.entity.url_name("detail"), args=[obj.pk]))


def view_classes(entity) -> dict[str, type]:
    """The entity's view classes by page, each a subclass carrying the entity as class attributes (so the
    scope matrix and the exports see ``view_class.model`` as for a hand-written view). A page the
    declaration names in ``views`` keeps its hand-written class (only ``entity`` and ``model`` are set)."""
    name = entity.model.__name__
    common = {"entity": entity, "model": entity.model}

    def make(page, base, **generated):
        own = entity.views.get(page)
        attrs = {**common, **({} if own else generated), "__module__": (own or base).__module__}
        return type(f"{name}{page.title()}View", (own or base,), attrs)

    return {
        "list": make(
            "list",
            EntityListView,
            table_class=table_class(entity),
            filterset_class=filterset_class(entity),
            add_url=reverse_lazy(entity.url_name("add")),
        ),
        "detail": make("detail", EntityDetailView),
        "edit": make("edit", EntityEditView, form_class=form_class(entity)),
        "delete": make("delete", EntityDeleteView),
        **{f: make(f, EntityFileView, field=f) for f in entity.file_fields},
        **({"attachments": make("attachments", EntityAttachView)} if entity.attachments else {}),
        **{
            t.action: make(t.action, EntityActionView, transition=t)
            for t in (entity.workflow.transitions if entity.workflow else ())
        },
    }


def urls_for(entity) -> list:
    """The entity's URL patterns, relative to its ``url_path``: ``""`` list, ``add/``, ``<pk>/``,
    ``<pk>/edit/``, ``<pk>/delete/`` (the pages in ``entity.pages``), ``<pk>/<file field>/`` and
    ``<pk>/attachments/`` (the upload, when it declares ``attachments``) and ``<pk>/<action>/`` for each
    action of its workflow."""
    slug, views = entity.slug, entity.view_classes
    routes = {
        "list": [("", "list")],
        "add": [("add/", "edit")],
        "detail": [("<int:pk>/", "detail")],
        "edit": [("<int:pk>/edit/", "edit")],
        "delete": [("<int:pk>/delete/", "delete")],
    }
    patterns = []
    for page in entity.pages:
        for route, view in routes[page]:
            patterns.append(path(route, views[view].as_view(), name=f"{slug}_{page}"))
    for field in entity.file_fields:
        patterns.append(path(f"<int:pk>/{field}/", views[field].as_view(), name=f"{slug}_{field}"))
    if entity.attachments:
        patterns.append(path("<int:pk>/attachments/", views["attachments"].as_view(), name=f"{slug}_attachments"))
    for t in entity.workflow.transitions if entity.workflow else ():
        patterns.append(path(f"<int:pk>/{t.action}/", views[t.action].as_view(), name=f"{slug}_{t.action}"))
    return patterns
