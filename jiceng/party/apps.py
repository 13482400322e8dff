from django.apps import AppConfig

from jiceng.audit.registry import register_redaction
from jiceng.core import counting
from jiceng.territory.pages import register_page_context


class PartyConfig(AppConfig):
    name = "jiceng.party"
    label = "party"
    verbose_name = "党组织"

    def ready(self):
        from .models import CentralHousehold, PartyGroup, PartyMember, PartyOrg
        from .selectors import area_party_orgs

        # Every write to these changes the cached figures of its node (``core.counting``); the coverage page
        # counts buildings without a 楼栋党小组, so a group's buildings count too.
        counting.register_counted(PartyOrg)
        counting.register_counted(PartyGroup, m2m=["buildings"])
        counting.register_counted(CentralHousehold)
        counting.register_counted(PartyMember)
        register_redaction("party.PartyMember", secret={"phone"})  # encrypted at rest
        register_page_context("area_detail", area_party_orgs)  # a node's page lists its Party organisations
