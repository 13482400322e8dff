"""Declared entities: one declaration per scoped model yields its pages, URLs, nav entry, REST resource
(reads and writes), importer, permission codes and its rows in the scope and write-scope matrices.

In the spirit of NetBox's per-model generic views / API / test mixins and Wagtail's ``ViewSet`` +
``register``: an app declares ::

    @register
    class BrandEntity(Entity):
        model = Brand
        fields = ("name", "org", "area", "description", "start_date", "logo")
        scope_from = ("org", "area")      # the first one set gives the row its scope path
        ...

in its ``entities.py`` (imported by its ``AppConfig.ready()``), and the central places read the
registry: ``jiceng/urls.py`` (:func:`urlpatterns`), ``jiceng/api/urls.py`` (``jiceng.api.entities``),
``accounts/roles.py`` (:func:`role_permissions`), the nav template (``{% entity_nav %}``),
``imports/importers`` (``Entity.importer`` or ``import_columns``) and the matrix tests
(``core/tests/test_write_scope.py``, ``tests/test_scope_matrix.py``). See ``docs/adding-an-app.md``.

Writes go through :class:`EntityService` (lock → scope check of the target node, of the old and the new
node on a move → snapshot → validate / ``full_clean`` → save → audit → side effects on commit); an entity
extends it (``validate``, ``after_save``, ``on_commit``) or replaces it (``service_class``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.functional import cached_property

from .scoping import permission_name
from .services import Result, full_clean, reject_unknown, require_scope

#: Every declared entity, by model label ("brands.brand"), in registration order.
REGISTRY: dict[str, Entity] = {}

#: ``(snapshot, audit_record)``, set by ``jiceng.audit`` in its ``ready()`` (core sits below audit).
_AUDIT: dict[str, Callable] = {}

#: The role codes every business role of a subtree carries (``accounts/roles.py``): a declaration's
#: ``permissions`` may name these groups instead of role codes.
ROLE_GROUPS = {
    "staff": ("district_admin", "street_admin", "community_worker", "grid_worker", "quarter_secretary"),
    "admins": ("district_admin", "street_admin"),
}


def set_auditor(*, snapshot: Callable, record: Callable) -> None:
    _AUDIT["snapshot"], _AUDIT["record"] = snapshot, record


#: ``attach(actor=, target=, files=, purpose=)`` and ``listing(target)``, set by ``jiceng.attachments`` in
#: its ``ready()`` (core sits below it): the files of an entity that declares ``attachments``.
_FILES: dict[str, Callable] = {}


def set_attachment_store(*, attach: Callable, listing: Callable) -> None:
    _FILES["attach"], _FILES["listing"] = attach, listing


def attachment_store() -> dict[str, Callable]:
    if not _FILES:
        raise LookupError("entities declare attachments, but the attachments app is not installed")
    return _FILES


def register(entity_class: type[Entity]) -> type[Entity]:
    """Class decorator (or plain call from ``AppConfig.ready()``): add the entity to the registry."""
    entity = entity_class()
    if entity.label in REGISTRY and type(REGISTRY[entity.label]) is not entity_class:
        raise ValueError(f"{entity.label} 已有登记的实体声明。")
    REGISTRY[entity.label] = entity
    _fragments.clear()
    return entity_class


def entities() -> list[Entity]:
    return list(REGISTRY.values())


def entity_for(model_or_label) -> Entity:
    label = model_or_label if isinstance(model_or_label, str) else model_or_label._meta.label_lower
    return REGISTRY[label.lower()]


_fragments: dict[str, frozenset[str]] = {}


def role_permissions(role_code: str) -> frozenset[str]:
    """The permission codes the declared entities give ``role_code`` (read by ``Role.has_perm``)."""
    if not _fragments and REGISTRY:
        collected: dict[str, set[str]] = {}
        for entity in REGISTRY.values():
            for who, actions in entity.permissions.items():
                for code in ROLE_GROUPS.get(who, (who,)):
                    collected.setdefault(code, set()).update(entity.perm(a) for a in actions)
        _fragments.update({code: frozenset(perms) for code, perms in collected.items()})
        _fragments.setdefault("", frozenset())  # computed, even when no role gets anything
    return _fragments.get(role_code, frozenset())


def urlpatterns() -> list:
    """One ``include`` per namespace of the entities that own their URLs (``jiceng/urls.py`` reads this)."""
    from django.urls import include, path

    by_namespace: dict[str, list] = {}
    for entity in REGISTRY.values():
        if entity.own_urls:
            by_namespace.setdefault(entity.namespace, []).append(path(entity.url_path, include(entity.urls())))
    return [path("", include((patterns, ns))) for ns, patterns in by_namespace.items()]


def nav_sections(has_perm: Callable[[str], bool]) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """``[(section label, [(label, url, path prefix)])]`` of the entity lists ``has_perm`` lets one view."""
    from django.urls import reverse

    sections: dict[str, list] = {}
    for entity in REGISTRY.values():
        if entity.nav and has_perm(entity.perm("view")):
            section, label = entity.nav
            url = reverse(entity.url_name("list"))
            sections.setdefault(section, []).append((label, url, url))
    return list(sections.items())


class EntityService:
    """The generic scoped create / update / delete of one entity. Every method is atomic."""

    def __init__(self, entity: Entity):
        self.entity = entity
        self.model = entity.model

    # --- hooks an entity's service overrides ------------------------------------------------------
    def validate(self, obj, *, actor) -> None:
        """Rules across fields (after the scope check, before ``full_clean``): raise ``ValidationError``."""

    def after_save(self, obj, data: dict, *, created: bool) -> None:
        """Inside the transaction, after ``save()`` (many-to-many links are already set)."""

    def on_commit(self, obj, action: str) -> None:
        """After the transaction committed (notifications, caches)."""

    def warnings(self, obj) -> list[str]:
        return []

    # --- the writes -------------------------------------------------------------------------------
    def create(self, *, actor, **data) -> Result:
        with transaction.atomic():
            reject_unknown(data, set(self.entity.fields))
            plain, m2m = self._split(data)
            obj = self.model(**plain)
            path = self.entity.path_of(obj)
            require_scope(actor, self.model, "add", path)
            self._require_links_visible(actor, obj, plain, m2m)
            obj.scope_path = path
            self._check(obj, actor)
            obj.save()
            for name, values in m2m.items():
                getattr(obj, name).set(values)
            self.after_save(obj, data, created=True)
            _AUDIT["record"](actor=actor, action="create", obj=obj, after=self.snapshot(obj))
            transaction.on_commit(lambda: self.on_commit(obj, "create"))
            return Result(obj, self.warnings(obj))

    def update(self, *, actor, obj, **data) -> Result:
        with transaction.atomic():
            reject_unknown(data, set(self.entity.fields), verb="修改")
            obj = self.entity.queryset().select_for_update(of=("self",)).get(pk=obj.pk)
            require_scope(actor, self.model, "change", obj.scope_path)
            before = self.snapshot(obj)
            plain, m2m = self._split(data)
            changed = {k: v for k, v in plain.items() if getattr(obj, k) != v}
            for name, value in plain.items():
                setattr(obj, name, value)
            path = self.entity.path_of(obj)
            if path != obj.scope_path:  # a move: the actor must hold the new node too
                require_scope(actor, self.model, "change", path)
            added = {n: [v for v in vs if v.pk not in set(before.get(n, []))] for n, vs in m2m.items()}
            self._require_links_visible(actor, obj, changed, added)
            obj.scope_path = path
            self._check(obj, actor)
            obj.save()
            for name, values in m2m.items():
                getattr(obj, name).set(values)
            self.after_save(obj, data, created=False)
            _AUDIT["record"](actor=actor, action="update", obj=obj, before=before, after=self.snapshot(obj))
            transaction.on_commit(lambda: self.on_commit(obj, "update"))
            return Result(obj, self.warnings(obj))

    def delete(self, *, actor, obj) -> None:
        """Delete (``soft_delete``: stamp ``deleted_at``; the model's default manager must hide the row)."""
        with transaction.atomic():
            obj = self.entity.queryset().select_for_update(of=("self",)).get(pk=obj.pk)
            require_scope(actor, self.model, "delete", obj.scope_path)
            before = self.snapshot(obj)
            pk, label = obj.pk, str(obj)
            if self.entity.soft_delete:
                obj.deleted_at = timezone.now()
                obj.save(update_fields=["deleted_at"])
            else:
                try:
                    obj.delete()
                except ProtectedError:
                    raise ValidationError(f"“{label}”仍被其他记录引用，不能删除。") from None
                obj.pk = pk  # the audit row names what was deleted
            _AUDIT["record"](actor=actor, action="delete", obj=obj, before=before)
            transaction.on_commit(lambda: self.on_commit(obj, "delete"))

    # --- helpers ----------------------------------------------------------------------------------
    def snapshot(self, obj) -> dict:
        data = _AUDIT["snapshot"](obj)
        for f in self.model._meta.many_to_many:
            if f.name in self.entity.fields:
                data[f.name] = sorted(getattr(obj, f.name).values_list("pk", flat=True))
        return data

    def _split(self, data: dict) -> tuple[dict, dict]:
        m2m = {f.name for f in self.model._meta.many_to_many}
        return {k: v for k, v in data.items() if k not in m2m}, {k: list(v) for k, v in data.items() if k in m2m}

    def _check(self, obj, actor) -> None:
        self.validate(obj, actor=actor)
        full_clean(obj)

    def _require_links_visible(self, actor, obj, plain: dict, m2m: dict) -> None:
        """Every scoped row the write points at (newly) must be one the actor may see."""
        from .errors import OutOfScope

        for name, value in [*plain.items(), *((n, v) for n, vs in m2m.items() for v in vs)]:
            if isinstance(value, models.Model) and hasattr(type(value)._default_manager.all(), "restrict"):
                if not type(value)._default_manager.restrict(actor, "view").filter(pk=value.pk).exists():
                    label = self.model._meta.get_field(name).verbose_name
                    raise OutOfScope(f"所选{label}不在您的管辖范围内。")


class Entity:
    """A declaration. Class attributes only; the registry holds one instance per entity."""

    model: type[models.Model]
    #: What a form, the API and the services may set (in the form's order).
    fields: tuple[str, ...] = ()
    #: Foreign keys (to a territory node or a row with a ``scope_path``) of which the first one set gives
    #: the row its ``scope_path``.
    scope_from: tuple[str, ...] = ()
    #: The list's columns (the first one links to the detail page); default: the first four fields.
    list_display: tuple[str, ...] = ()
    #: Filters of the list and the API (model fields: choices and foreign keys get a select).
    filters: tuple[str, ...] = ()
    #: Fields the list's search box (``q``) and the API's ``q`` look in (``icontains``).
    search_fields: tuple[str, ...] = ()
    #: Fields shown on the detail page; default: ``fields``.
    detail_fields: tuple[str, ...] = ()
    #: File fields (served only after a scope check, at ``<pk>/<field>/``).
    file_fields: tuple[str, ...] = ()
    #: ``(section, label)`` of the nav entry, or ``None``.
    nav: tuple[str, str] | None = None
    #: Role code (or a ``ROLE_GROUPS`` name) → actions (``view add change delete export import``).
    permissions: dict[str, tuple[str, ...]] = {}
    #: Fields that are the import template's columns (in order), or ``()``: no import. A column's header is
    #: the field's ``verbose_name``; ``import_synonyms`` / ``import_examples`` / ``import_notes`` add to it.
    import_columns: tuple[str, ...] = ()
    import_synonyms: dict[str, tuple[str, ...]] = {}
    import_examples: dict[str, Any] = {}
    import_notes: tuple[str, ...] = ()
    #: Fields that identify a record within its node (a duplicate row in a file; the row an import updates).
    import_key: tuple[str, ...] = ("name",)
    #: How a link column's text finds its row where the default (by ``name`` among the rows the importing
    #: user sees) cannot: ``{"household": lambda importer, text: …}`` — a household by its 楼栋 and 房号; it
    #: returns the row or raises a Chinese ``ValidationError``, which refuses the row at that column.
    import_lookups: dict[str, Callable] = {}
    #: API resource name (``/api/v1/<api_name>/``); ``None``: no API.
    api_name: str | None = None
    #: The API's filter set (default: ``filters`` and ``q`` over ``search_fields``).
    api_filterset_class = None
    #: ``True``: delete stamps ``deleted_at`` instead of removing the row. The model's default manager must
    #: hide such rows (no declared entity soft-deletes yet; ``core/tests/test_entity_soft_delete.py``).
    soft_delete: bool = False
    service_class: type[EntityService] = EntityService
    #: Where the pages live (default ``<app>/<model>s/``); the URL names are ``<app>:<model>_<page>``.
    url_path: str = ""
    #: Whether ``core.entities.urlpatterns`` mounts the pages at ``url_path`` (else the app's own
    #: ``urls.py`` adds ``path(…, include(entity.urls()))`` under its namespace).
    own_urls: bool = True
    #: ``select_related`` / ``prefetch_related`` of every page and API read.
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    #: The pages the entity has (a register with no delete leaves ``"delete"`` out).
    pages: tuple[str, ...] = ("list", "add", "detail", "edit", "delete")
    #: Hand-written view classes for some pages (``{"detail": MyDetailView}``): used as they are, with
    #: the entity and model set on a subclass.
    views: dict[str, type] = {}
    #: Name in the URL names (``<app>:<url_slug>_list``); default: the model name.
    url_slug: str = ""
    #: The rows of the write-scope matrix generated for this entity (its service must take these calls).
    write_matrix: tuple[str, ...] = ("create", "update", "move", "delete")
    #: Form class (default: a ``ServiceModelForm`` over ``fields``), table and filter-set overrides.
    form_class = table_class = filterset_class = None
    #: A life cycle (``core.workflow.Workflow`` of the same model): the detail page shows the state, the
    #: actions the user may take now and the event history; each action gets a page ``<pk>/<action>/``
    #: and ``POST /api/v1/<api_name>/{id}/<action>/`` — both through ``workflow.transition``.
    workflow = None
    #: The payload keys' labels on the action forms (``{"note": "完成说明"}``), and form fields for keys
    #: that are not free text (``{"rating": forms.TypedChoiceField(...)}``); other keys are text.
    payload_labels: dict[str, str] = {}
    payload_fields: dict[str, Any] = {}
    #: Files on each row (``jiceng.attachments``), under this label (``"现场照片"``): listed on the detail
    #: page with an upload form for those who may change the row, a page ``<pk>/attachments/`` that takes
    #: the upload, and ``GET`` / ``POST /api/v1/<api_name>/{id}/attachments/``.
    attachments: str = ""

    def __init__(self):
        meta = self.model._meta
        self.label = meta.label_lower
        self.slug = self.url_slug or meta.model_name
        self.namespace = meta.app_label
        self.url_path = self.url_path or f"{meta.app_label}/{meta.model_name}s/"
        self.verbose_name = meta.verbose_name
        self.list_display = self.list_display or self.fields[:4]
        self.detail_fields = self.detail_fields or self.fields
        self.service = self.service_class(self)
        if self.workflow is not None:
            if self.workflow.model is not self.model:
                raise ValueError(f"{self.label}: workflow {self.workflow.name} is of {self.workflow.model}")
            clash = {t.action for t in self.workflow.transitions} & {
                *self.pages,
                "add",
                "edit",
                "attachments",
                *self.file_fields,
            }
            if clash:
                raise ValueError(f"{self.label}: actions named like pages: {sorted(clash)}")

    # --- names --------------------------------------------------------------------------------------
    def perm(self, action: str) -> str:
        return permission_name(self.model, action)

    def url_name(self, page: str) -> str:
        return f"{self.namespace}:{self.slug}_{page}"

    # --- data -----------------------------------------------------------------------------------------
    def queryset(self):
        return self.model._default_manager.select_related(*self.related).prefetch_related(*self.prefetch)

    def path_of(self, obj) -> str:
        """The scope path a row gets from its first set ``scope_from`` link."""
        for name in self.scope_from:
            target = getattr(obj, name, None)
            if target is not None:
                return getattr(target, "scope_path", None) or target.path
        labels = "或".join(str(self.model._meta.get_field(n).verbose_name) for n in self.scope_from)
        raise ValidationError({self.scope_from[0]: f"请选择{labels}。"})

    def sample_links(self, node) -> dict[str, Any]:
        """The ``scope_from`` links that put a row under territory ``node`` (the write-scope matrix): the
        last link gets the node itself (or the first row of its model under the node), the others ``None``."""
        link = self.model._meta.get_field(self.scope_from[-1])
        target = link.related_model
        value = node if target is type(node) else None
        if value is None:
            value = target._default_manager.filter(scope_path__startswith=node.path).order_by("pk").first()
        return {**dict.fromkeys(self.scope_from), link.name: value}

    def sample(self, node, *, name: str) -> dict[str, Any]:
        """Create data for a row under ``node``: its links, and ``name`` (override for other required fields)."""
        return {**self.sample_links(node), "name": name}

    # --- pages ----------------------------------------------------------------------------------------
    def urls(self) -> list:
        from . import entity_views

        return entity_views.urls_for(self)

    @cached_property
    def view_classes(self) -> dict[str, type]:
        from . import entity_views

        return entity_views.view_classes(self)
