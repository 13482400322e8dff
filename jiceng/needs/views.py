"""The detail pages of a need and a resource: the declared detail plus the suggested matches (by category
and place), the linked request and the history."""

from __future__ import annotations

from jiceng.core.entity_views import EntityDetailView

from .selectors import suggested_needs, suggested_resources


class NeedDetailView(EntityDetailView):
    template_name = "needs/need_detail.html"

    def get_extra_context(self, obj):
        context = super().get_extra_context(obj)
        context["matches"] = suggested_resources(obj, self.request.user)
        context["projects"] = list(obj.projects.select_related("resource__unit"))
        return context


class ResourceDetailView(EntityDetailView):
    template_name = "needs/resource_detail.html"

    def get_extra_context(self, obj):
        context = super().get_extra_context(obj)
        context["matches"] = suggested_needs(obj, self.request.user)
        return context
