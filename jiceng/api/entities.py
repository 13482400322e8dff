"""The REST resource of every declared entity (``core.entities.Entity.api_name``): list, detail, create,
update and delete, all limited to the caller's subtree, every write through the entity's service; for an
entity with a ``workflow``, ``POST …/{id}/<action>/`` per action, through ``workflow.transition``.

The serializer only checks the input's shape (a link must be a row the caller sees: its choices are the
restricted queryset); ``perform_*`` hand the validated data to ``entity.service`` — never
``serializer.save()`` on the model — so scope, validation and audit are the same as in the web form.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import ForeignKey
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from jiceng.core import entities
from jiceng.core.entity_views import action_form_class, attachment_row, search_q

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


class _State(serializers.Field):
    """The life cycle's state (read-only; ``source="*"``: the serializer's object)."""

    def __init__(self, entity, **kwargs):
        self.entity = entity
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        return self.entity.workflow.state_of(obj)


@extend_schema_field({"type": "string"})
class _StateLabel(_State):
    def to_representation(self, obj):
        wf = self.entity.workflow
        return wf.state_label(wf.state_of(obj))


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class _Actions(_State):
    """What the caller may do now, as the action paths (``claim``, ``mark-done``)."""

    def to_representation(self, obj):
        user = getattr(self.context.get("request"), "user", None)
        return [a.replace("_", "-") for a in self.entity.workflow.allowed_actions(user, obj)] if user else []


def _serializer(entity):
    names = ["id", *entity.fields]
    labels = {}
    if entity.workflow is not None:
        states = entity.workflow.states
        # the values in the description, not as an ``enum``: every life cycle's field is ``status``, and
        # drf-spectacular would name their different enums alike (a warning, which the gate refuses)
        values = "、".join(f"{v} {label}" for v, label in states.choices) if states else ""
        schema = {"type": "string", **({"description": f"状态：{values}"} if values else {})}
        state_field = extend_schema_field(schema)(type(f"{entity.model.__name__}State", (_State,), {}))
        labels[entity.workflow.state_field] = state_field(entity, label="状态")
        labels[f"{entity.workflow.state_field}_label"] = _StateLabel(entity, label="状态名称")
        labels["actions"] = _Actions(entity, label="当前可执行的操作")
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

    def _attachment_rows(self, rows) -> list[dict]:
        out = []
        for attachment in rows:
            row = attachment_row(attachment)
            row["url"] = self.request.build_absolute_uri(row["url"])
            out.append({k: row[k] for k in EntityAttachmentSerializer().fields})
        return out


ERROR = inline_serializer("EntityErrorDetail", {"detail": serializers.CharField()})


def _payload_field(field):
    """The schema of one payload key, from the action form's field (the form is what checks it)."""
    kw = {"required": field.required, "label": field.label}
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(min_value=1, **kw)
    if isinstance(field, forms.ChoiceField):
        return serializers.ChoiceField(choices=[c for c, _ in field.choices if c not in ("", None)], **kw)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(min_value=field.min_value, max_value=field.max_value, **kw)
    if isinstance(field, forms.DateField):
        return serializers.DateField(**kw)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(**{**kw, "required": False})
    return serializers.CharField(allow_blank=not field.required, max_length=getattr(field, "max_length", None), **kw)


def _action_view(entity, transition, serializer_class):
    """``POST …/{id}/<action>/``: 409 when the state moved on and 403 when it is not the caller's turn, then
    the payload checked by the action's form (the web page's; keys it does not name are ignored, as every
    serializer of the API ignores them), then ``workflow.transition``."""

    def view(self, request, pk=None):
        obj = self.get_object()
        data = request.data if hasattr(request.data, "keys") else None
        if data is None:
            raise ApiValidationError({"detail": "请求体应为 JSON 对象。"})
        form = action_form_class(entity, transition)(data)
        entity.workflow.precheck(request.user, obj, transition.action)  # 409 / 403 before the payload's 400
        if not form.is_valid():
            raise ApiValidationError({k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()})
        payload = {k: v for k, v in form.cleaned_data.items() if k in data and v not in ("", None, [])}
        obj = entity.workflow.transition(actor=request.user, obj=obj, action=transition.action, **payload)
        return Response(self.get_serializer(obj).data)

    view.__name__ = f"act_{transition.action}"
    view.__doc__ = f"{transition.label}（{entity.verbose_name}的流转操作）。"
    fields = {k: _payload_field(f) for k, f in action_form_class(entity, transition)().fields.items()}
    request_schema = inline_serializer(f"{entity.model.__name__}{transition.action.title()}Payload".replace("_", ""),
                                       fields)  # fmt: skip
    responses = {200: serializer_class, 400: ERROR, 403: ERROR, 404: ERROR,
                 409: OpenApiResponse(ERROR, description="当前状态不允许此操作（可能已被他人处理）。")}  # fmt: skip
    view = action(detail=True, methods=["post"], url_path=transition.action.replace("_", "-"),
                  url_name=transition.action)(view)  # fmt: skip
    return extend_schema(request=request_schema, responses=responses)(view)


class EntityAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="附件编号")
    name = serializers.CharField(label="原文件名")
    size = serializers.IntegerField(label="大小（字节）")
    content_type = serializers.CharField(label="文件类型")
    url = serializers.CharField(label="下载地址（按对象的查看权限）")
    uploaded_by = serializers.CharField(label="上传人")
    created_at = serializers.DateTimeField(label="上传时间")


def _attachments_view(entity):
    """``GET``: the row's files; ``POST`` (multipart, one or more ``file``): add files — each checked by its
    bytes, all or nothing, the caller must be allowed to change the row — 201 with the new ones."""

    def view(self, request, pk=None):
        obj = self.get_object()
        store = entities.attachment_store()
        if request.method == "POST":
            if not request.user.scope.has_perm(entity.perm("change")):
                raise PermissionDenied("您没有为该记录上传附件的权限。")
            rows = store["attach"](actor=request.user, target=obj, files=request.FILES.getlist("file"),
                                   purpose=entity.attachments)  # fmt: skip
            return Response(self._attachment_rows(rows), status=201)
        return Response(self._attachment_rows(store["listing"](obj)))

    view.__name__ = "attachments"
    view.__doc__ = f"{entity.verbose_name}的{entity.attachments}：查看与上传。"
    upload = inline_serializer(f"{entity.model.__name__}Upload", {"file": serializers.FileField(label="文件")})
    # no filters nor pages on one row's files (nor in its schema, which lists them for a many=True answer)
    view = action(detail=True, methods=["get", "post"], url_path="attachments", filter_backends=[],
                  pagination_class=None, parser_classes=[MultiPartParser, FormParser])(view)  # fmt: skip
    view = extend_schema(methods=["GET"], responses={200: EntityAttachmentSerializer(many=True)})(view)
    return extend_schema(
        methods=["POST"],
        request={"multipart/form-data": upload},
        responses={201: EntityAttachmentSerializer(many=True), 400: ERROR, 403: ERROR, 404: ERROR},
    )(view)


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
    if entity.attachments:
        attrs["attachments"] = _attachments_view(entity)
    for transition in entity.workflow.transitions if entity.workflow else ():
        attrs[f"act_{transition.action}"] = _action_view(entity, transition, attrs["serializer_class"])
    return type(f"{entity.model.__name__}ViewSet", (EntityViewSet,), attrs)


def register_all(router) -> None:
    """Add every declared entity with an ``api_name`` to ``router`` (``jiceng/api/urls.py`` calls this)."""
    for entity in entities.entities():
        if entity.api_name:
            router.register(entity.api_name, viewset_for(entity), basename=entity.slug)
