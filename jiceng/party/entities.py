"""The Party's declared entities (``jiceng.core.entities``): the 楼栋党小组 register, its pages and API."""

from django.core.exceptions import ValidationError

from jiceng.core.entities import Entity, EntityService, register
from jiceng.territory.models import Building

from . import services, views
from .api import PartyGroupFilterSet as PartyGroupApiFilterSet
from .choices import BRANCH_TYPES
from .filters import PartyGroupFilterSet
from .forms import PartyGroupForm
from .models import PartyGroup, PartyOrg
from .tables import PartyGroupTable


class PartyGroupService(EntityService):
    """A group's rules (a branch only; its buildings in the branch's community; its leader a member of
    the branch) stay in ``services.group_create`` / ``group_update``; the layer calls them."""

    def create(self, *, actor, branch, **data):
        return services.group_create(actor=actor, branch=branch, **data)

    def update(self, *, actor, obj, **data):
        branch = data.pop("branch", None)  # the API's PUT sends it; a group never changes branch
        if branch is not None and branch.pk != obj.branch_id:
            raise ValidationError({"branch": "党小组的所属党支部不能修改。"})
        return services.group_update(actor=actor, group=obj, **data)


@register
class PartyGroupEntity(Entity):
    model = PartyGroup
    fields = ("branch", "name", "leader", "buildings")
    list_display = ("name", "branch", "leader")  # the API's ordering fields (the page has its own table)
    scope_from = ("branch",)
    related = ("branch", "leader")
    prefetch = ("buildings",)
    url_slug = "group"
    own_urls = False  # under party's namespace: party/urls.py mounts ``groups/``
    # No role deletes a register's rows (docs/permissions.md; a deleted group would also silently unlink its
    # 党员中心户, ``CentralHousehold.group`` is SET_NULL): no delete page, and the API's DELETE answers 403.
    pages = ("list", "add", "detail", "edit")
    form_class, table_class, filterset_class = PartyGroupForm, PartyGroupTable, PartyGroupFilterSet
    api_name, api_filterset_class = "party-groups", PartyGroupApiFilterSet
    views = {"detail": views.PartyGroupDetailView, "edit": views.PartyGroupEditView}
    service_class = PartyGroupService
    write_matrix = ()  # group_create / group_update have their own rows in core/tests/test_write_scope.py

    def sample_links(self, node):
        """A branch of ``node``'s community (a group hangs under a branch, never a grid), one of the
        community's buildings (a group covers at least one), and no leader."""
        community = node.path[: 3 * node.steplen]  # district, street, community
        branches = PartyOrg.objects.filter(org_type__in=BRANCH_TYPES, scope_path__startswith=community)
        building = Building.objects.filter(scope_path__startswith=node.path).order_by("pk").first()
        return {"branch": branches.order_by("pk").first(), "leader": None, "buildings": [building]}
