"""Pages of the organisations that are not territory nodes: list, detail (with their people), create, edit."""

from __future__ import annotations

from django.urls import reverse_lazy

from jiceng.core.views import ObjectDetailView, ObjectEditView, ObjectListView

from . import services
from .choices import NON_TERRITORY_ORG_KINDS
from .filters import OrganisationFilterSet
from .forms import OrganisationForm
from .models import Organisation
from .tables import OrganisationTable

#: The territory mirrors follow their node; these pages never show or edit them.
MANAGED = Organisation.objects.filter(kind__in=[k.value for k in NON_TERRITORY_ORG_KINDS]).select_related("area")


class OrganisationListView(ObjectListView):
    model = Organisation
    queryset = MANAGED
    table_class = OrganisationTable
    filterset_class = OrganisationFilterSet
    add_url = reverse_lazy("orgs:organisation_add")
    title = "组织机构（职能部门、共建单位、物业、业委会）"


class OrganisationDetailView(ObjectDetailView):
    model = Organisation
    queryset = MANAGED
    template_name = "orgs/organisation_detail.html"

    def get_extra_context(self, org):
        return {"members": org.members.order_by("username")}


class OrganisationEditView(ObjectEditView):
    model = Organisation
    queryset = MANAGED
    form_class = OrganisationForm

    def save(self, form, obj):
        data = form.service_data()
        if obj is None:
            return services.organisation_create(actor=self.request.user, **data)
        return services.organisation_update(actor=self.request.user, organisation=obj, **data)
