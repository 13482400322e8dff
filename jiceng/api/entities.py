"""The REST resource of every declared entity (``core.entities.Entity.api_name``): list, detail, create,
update and delete, all limited to the caller's subtree, every write through the entity's service.

The serializer only checks the input's shape (a link must be a row the caller sees: its choices are the
restricted queryset); ``perform_*`` hand the validated data to ``entity.service`` — never
``serializer.save()`` on the model — so scope, validation and audit are the same as in the web form.
"""

from __future__ import annotations

import django_filters
from django.db.models import ForeignKey
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.exceptions import PermissionDenied

from jiceng.core import entities
from jiceng.core.entity_views import search_q

from .base import ScopedFilterSet, ScopedReadOnlyViewSet


class EntitySerializer(serializers.ModelSerializer):
    """Links are chosen from what the caller may see (an id outside the subtree is "not a valid choice")."""

    def build_relational_field(self, field_name, relation_info):
        field_class, kwargs = super().build_relational_field(field_name, relation_info)
        queryset = kwargs.get("queryset")
        request = self.context.get("request")
        if queryset is not None and hasattr(queryset, "restrict") and request is not None:
            kwargs["queryset"] = queryset.restrict(request.user, "view")
        return field_class, kwargs


@extend_schema_field({"type": "string", "format": "uri", "nullable": True, "readOnly": True})
class ScopedFileUrl(serializers.Field):
    """A stored file as the URL of the entity's file page (scope-checked), never its storage path."""

    def __init__(self, entity, name, **kwargs):
        self.entity, self.file_field = entity, name
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        if not getattr(obj, self.file_field):
            return None
        url = reverse(self.entity.url_name(self.file_field), args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


def _serializer(entity):
    names = ["id", *entity.fields]
    labels = {}
    for name in entity.fields:
        field = entity.model._meta.get_field(name)
        if isinstance(field, ForeignKey):
            labels[f"{name}_name"] = serializers.StringRelatedField(source=name, label=field.verbose_name)
    for name in entity.file_fields:  # uploaded in the web form; read at the page's scope-checked URL
        labels[name] = ScopedFileUrl(entity, name, label=entity.model._meta.get_field(name).verbose_name)
    meta = type("Meta", (), {"model": entity.model, "fields": names + [n for n in labels if n not in names]})
    return type(f"{entity.model.__name__}Serializer", (EntitySerializer,), {"Meta": meta, **labels})


def _filterset(entity):
    attrs = {}
    if entity.search_fields:
        attrs["q"] = django_filters.CharFilter(label="关键词", method="search")
        attrs["search"] = lambda self, qs, name, value: qs.filter(search_q(entity.search_fields, value))
    attrs["Meta"] = type("Meta", (), {"model": entity.model, "fields": list(entity.filters)})
    return type(f"{entity.model.__name__}ApiFilterSet", (ScopedFilterSet,), attrs)


class EntityViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, ScopedReadOnlyViewSet):
    entity = None
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        action = self.WRITES.get(self.action, "view") if self.action != "create" else "view"
        return (
            self.entity.queryset()
            .order_by(*self.entity.model._meta.ordering or ["pk"])
            .restrict(self.request.user, action)
        )

    WRITES = {"create": "add", "update": "change", "partial_update": "change", "destroy": "delete"}

    def check_permissions(self, request):
        """A write the caller's roles do not allow is refused before its input is read (403, not 400)."""
        super().check_permissions(request)
        action = self.WRITES.get(self.action)
        if action and not request.user.scope.has_perm(self.entity.perm(action)):
            raise PermissionDenied("您没有执行该操作的权限。")

    def perform_create(self, serializer):
        serializer.instance = self.entity.service.create(actor=self.request.user, **serializer.validated_data).obj

    def perform_update(self, serializer):
        result = self.entity.service.update(
            actor=self.request.user, obj=serializer.instance, **serializer.validated_data
        )
        serializer.instance = result.obj

    def perform_destroy(self, instance):
        self.entity.service.delete(actor=self.request.user, obj=instance)


def viewset_for(entity):
    label = entity.verbose_name
    attrs = {
        "entity": entity,
        "queryset": entity.queryset(),
        "serializer_class": _serializer(entity),
        "filterset_class": entity.api_filterset_class or _filterset(entity),
        "ordering_fields": ["scope_path", *entity.list_display],
        "__doc__": f"{label}（声明式实体，写入经其服务）。",
    }
    return type(f"{entity.model.__name__}ViewSet", (EntityViewSet,), attrs)


def register_all(router) -> None:
    """Add every declared entity with an ``api_name`` to ``router`` (``jiceng/api/urls.py`` calls this)."""
    for entity in entities.entities():
        if entity.api_name:
            router.register(entity.api_name, viewset_for(entity), basename=entity.slug)
