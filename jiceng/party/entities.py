"""The Party's declared entities (``jiceng.core.entities``): the 楼栋党小组 register."""

from jiceng.core.entities import Entity, EntityService, register

from . import services, views
from .filters import PartyGroupFilterSet
from .forms import PartyGroupForm
from .models import PartyGroup
from .tables import PartyGroupTable


class PartyGroupService(EntityService):
    """A group's rules (a branch only; its buildings in the branch's community; its leader a member of
    the branch) stay in ``services.group_create`` / ``group_update``; the layer calls them."""

    def create(self, *, actor, branch, **data):
        return services.group_create(actor=actor, branch=branch, **data)

    def update(self, *, actor, obj, **data):
        return services.group_update(actor=actor, group=obj, **data)


@register
class PartyGroupEntity(Entity):
    model = PartyGroup
    fields = ("branch", "name", "leader", "buildings")
    scope_from = ("branch",)
    related = ("branch", "leader")
    prefetch = ("buildings",)
    url_slug = "group"
    own_urls = False  # under party's namespace: party/urls.py mounts ``groups/``
    pages = ("list", "add", "detail", "edit")  # no role deletes a register's rows (docs/permissions.md)
    form_class, table_class, filterset_class = PartyGroupForm, PartyGroupTable, PartyGroupFilterSet
    views = {"detail": views.PartyGroupDetailView, "edit": views.PartyGroupEditView}
    service_class = PartyGroupService
    write_matrix = ()  # group_create / group_update have their own rows in core/tests/test_write_scope.py
