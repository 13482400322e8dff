"""Web UI for people: residents (masked by default, revealed with a reason and logged), their tags
(only for roles with ``people.viewtags_residenttag``) and community / grid workers."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.views import View

from jiceng.core.breadcrumbs import area_breadcrumbs
from jiceng.core.errors import OutOfScope
from jiceng.core.scoping import get_scoped_object_or_404
from jiceng.core.views import ObjectDetailView, ObjectEditView, ObjectListView
from jiceng.territory.models import Area, Household

from . import services
from .choices import Relation
from .filters import TAGS_PERM, ResidentFilterSet, WorkerFilterSet
from .forms import ResidentForm, ResidentTagForm, RevealForm, WorkerForm
from .models import Resident, ResidentTag, Worker
from .tables import ResidentRegisterTable, ResidentTable, WorkerTable, age_of


def _crumbs(user, area, tail):
    if area is not None and user.scope.grants_with("territory.view_area"):
        return area_breadcrumbs(user, area, tail=tail)
    return [{"name": "首页", "url": reverse("dashboards:home")}, *tail]


# --- 居民 ---------------------------------------------------------------------------------------


class ResidentListView(ObjectListView):
    model = Resident
    # Only the columns the table (and so the export) shows: no grid polygons, no timestamps to parse.
    queryset = (
        Resident.objects.filter(deleted_at__isnull=True)
        .select_related("grid", "building", "household")
        .only(
            "id", "scope_path", "name", "id_number", "phone", "gender", "birth_date", "deleted_at", "grid_id",
            "building_id", "household_id", "grid__id", "grid__name", "building__id", "building__name",
            "building__code", "household__id", "household__room",
        )
    )  # fmt: skip
    table_class = ResidentTable
    export_register_table_class = ResidentRegisterTable
    filterset_class = ResidentFilterSet
    add_url = reverse_lazy("people:resident_add")
    title = "居民（实有人口）"


class ResidentDetailView(ObjectDetailView):
    model = Resident
    queryset = Resident.objects.filter(deleted_at__isnull=True).select_related(
        "grid", "building__quarter", "household", "party_member"
    )
    template_name = "people/resident_detail.html"

    def get_extra_context(self, resident):
        user = self.request.user
        can_tags = user.scope.has_perm(TAGS_PERM)
        return {
            "breadcrumbs": _crumbs(user, resident.grid, [{"name": resident.name, "url": None}]),
            "age": age_of(resident.birth_date),
            "can_reveal": user.scope.covers_path(resident.scope_path, "people.reveal_resident"),
            "reveal_form": RevealForm(fields=[f for f in ("id_number", "phone") if getattr(resident, f)]),
            "can_tags": can_tags,
            # Tags are fetched only for roles allowed to see them: nobody else's page can leak a tag name.
            "tags": ResidentTag.objects.restrict(user, "viewtags").filter(resident=resident) if can_tags else None,
            "can_add_tag": can_tags and user.scope.has_perm("people.add_residenttag"),
            "can_view_member": user.scope.has_perm("party.view_partymember"),
        }


class ResidentEditView(ObjectEditView):
    model = Resident
    queryset = Resident.objects.filter(deleted_at__isnull=True).select_related("household")
    form_class = ResidentForm

    def get_initial(self):
        """From a household page (``?household=<id>``): its building and room filled in, so the form
        shows which dwelling the person joins; an id outside the user's scope fills in nothing."""
        household = self.request.GET.get("household", "")
        if not household.isdigit():
            return {}
        found = Household.objects.restrict(self.request.user, "view").filter(pk=household).first()
        if found is None:
            return {}
        relation = Relation.HEAD if found.head_id is None else ""
        return {"building": found.building_id, "room": found.room, "relation_to_head": relation}

    def save(self, form, obj):
        data = form.service_data()
        if obj is None:
            return services.resident_create(actor=self.request.user, **data)
        return services.resident_update(actor=self.request.user, resident=obj, **data)


class RevealView(LoginRequiredMixin, View):
    """“查看完整信息”: POST a field and a reason; htmx gets a fragment, a plain POST a page.

    Not wrapped in a transaction: a refused attempt is itself audited and must stay written.
    """

    model = None
    fields = ("id_number", "phone")

    def base_queryset(self):
        return self.model._default_manager.all()

    def get(self, request, pk):
        obj = get_scoped_object_or_404(self.base_queryset(), request.user, "view", pk=pk)
        return redirect(obj.get_absolute_url())

    def post(self, request, pk):
        obj = get_scoped_object_or_404(self.base_queryset(), request.user, "view", pk=pk)
        form = RevealForm(request.POST, fields=self.fields)
        template = "people/_reveal_result.html" if request.htmx else "people/reveal.html"
        context = {"object": obj, "form": form, "title": f"查看完整信息：{obj}"}
        if not form.is_valid():
            return render(request, template, context, status=400)
        field = form.cleaned_data["field"]
        try:
            value = services.reveal_personal_data(
                actor=request.user, obj=obj, field=field, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            context["error"] = "；".join(exc.messages)
            return render(request, template, context, status=400)
        except OutOfScope as exc:
            context["error"] = str(exc)
            return render(request, template, context, status=403)
        context.update(value=value, field_label=services.REVEALABLE[field])
        response = render(request, template, context)
        response["Cache-Control"] = "no-store"  # a revealed value must not sit in a shared cache
        return response


class ResidentRevealView(RevealView):
    model = Resident

    def base_queryset(self):
        return Resident.objects.filter(deleted_at__isnull=True)  # a deleted record is gone for everyone


class ResidentTagCreateView(ObjectEditView):
    """Add a special-population tag to a resident (roles with ``viewtags`` only)."""

    model = ResidentTag
    form_class = ResidentTagForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.scope.has_perm(TAGS_PERM):
            raise PermissionDenied("您没有查看或登记人群标签的权限。")
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def resident(self):
        return get_scoped_object_or_404(
            Resident.objects.filter(deleted_at__isnull=True), self.request.user, "view", pk=self.kwargs["resident"]
        )

    def get(self, request, resident):
        self.resident  # noqa: B018 - 404 before showing the form
        return super().get(request)

    def post(self, request, resident):
        self.resident  # noqa: B018
        return super().post(request)

    def save(self, form, obj):
        return services.tag_create(actor=self.request.user, resident=self.resident, **form.service_data())

    def success_url(self, obj):
        return self.resident.get_absolute_url()


# --- 社区工作者 / 网格员 -----------------------------------------------------------------------------


class WorkerListView(ObjectListView):
    model = Worker
    queryset = Worker.objects.select_related("community")
    table_class = WorkerTable

    def get_queryset(self):
        # Only the grids the viewer may see: a grid worker is not told the names of sibling grids.
        visible = Area.objects.restrict(self.request.user, "view").order_by("code")
        return super().get_queryset().prefetch_related(Prefetch("grids", queryset=visible))

    filterset_class = WorkerFilterSet
    add_url = reverse_lazy("people:worker_add")
    title = "社区工作者 / 网格员"


class WorkerDetailView(ObjectDetailView):
    model = Worker
    queryset = Worker.objects.select_related("community")
    template_name = "people/worker_detail.html"

    def get_extra_context(self, worker):
        user = self.request.user
        return {
            "breadcrumbs": _crumbs(user, worker.community, [{"name": worker.name, "url": None}]),
            "grids": worker.grids.restrict(user, "view"),
            "can_reveal": bool(worker.phone) and user.scope.covers_path(worker.scope_path, "people.reveal_worker"),
            "reveal_form": RevealForm(fields=["phone"]),
        }


class WorkerEditView(ObjectEditView):
    model = Worker
    form_class = WorkerForm

    def save(self, form, obj):
        data = form.service_data()
        if obj is None:
            return services.worker_create(actor=self.request.user, **data)
        return services.worker_update(actor=self.request.user, worker=obj, **data)


class WorkerRevealView(RevealView):
    model = Worker
    fields = ("phone",)
