"""The detail pages of a need and a resource (the declared detail plus the suggested matches by category
and place), the member's / liaison's phone page of needs to claim, and a need made from a request."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from jiceng.accounts.models import RoleGrant
from jiceng.accounts.roles import ROLES
from jiceng.core.entity_views import EntityDetailView
from jiceng.core.masking import mask_name
from jiceng.tickets.models import Ticket

from .choices import NeedCategory
from .models import Need
from .selectors import claimable_needs, my_claims, my_posts, suggested_needs, suggested_resources
from .services import need_from_ticket

CLAIMABLE_LIMIT = 50
MASKED = ("posted_by", "claimed_by")


class NeedDetailView(EntityDetailView):
    template_name = "needs/need_detail.html"

    def get_extra_context(self, obj):
        context = super().get_extra_context(obj)
        # The resident who posted and the member who claimed are people: their names are masked (林*芳).
        people = {str(Need._meta.get_field(n).verbose_name) for n in MASKED}
        context["rows"] = [
            (
                label,
                mask_name(str(value)) if str(label) in people and value else value,
                "" if str(label) in people else url,
                f,
            )
            for label, value, url, f in context["rows"]
        ]
        events = context.get("events", [])
        actors = {actor.pk for _, actor, *_ in events if actor is not None}
        staff = set(
            RoleGrant.objects.filter(user_id__in=actors)
            .exclude(role__in=[code for code, role in ROLES.items() if role.personal])
            .values_list("user_id", flat=True)
        )
        personal = ({obj.posted_by_id, obj.claimed_by_id} | actors) - staff - {None}
        context["events"] = [
            (at, mask_name(str(actor)) if actor is not None and actor.pk in personal else actor, *rest)
            for at, actor, *rest in events
        ]
        context["matches"] = suggested_resources(obj, self.request.user)
        context["projects"] = list(obj.projects.select_related("resource__unit"))
        return context


class ResourceDetailView(EntityDetailView):
    template_name = "needs/resource_detail.html"

    def get_extra_context(self, obj):
        context = super().get_extra_context(obj)
        context["matches"] = suggested_needs(obj, self.request.user)
        return context


@login_required
def claimable(request):
    """我可认领: the open needs published to this member or unit liaison, and what they claimed (a phone page)."""
    user = request.user
    if not user.scope.has_perm("needs.view_need"):
        raise PermissionDenied("您没有查看需求的权限。")
    context = {
        "title": "我可认领的需求",
        "open": list(claimable_needs(user).select_related("community", "grid")[:CLAIMABLE_LIMIT]),
        "mine": list(my_claims(user).select_related("community", "claimed_unit")[:CLAIMABLE_LIMIT]),
        "posted": list(my_posts(user).select_related("community")[:CLAIMABLE_LIMIT]),
    }
    return render(request, "needs/claimable.html", context)


class FromTicketForm(forms.Form):
    ticket_no = forms.CharField(label="工单编号", max_length=16)
    category = forms.ChoiceField(label="需求类别", choices=NeedCategory.choices)
    title = forms.CharField(label="需求名称", max_length=100, required=False, help_text="不填则取工单标题")


@login_required
def from_ticket(request):
    """把一件工单登记为需求（微心愿）: the ticket's grid, community and text; the link is kept."""
    if not request.user.scope.grants_with("needs.add_need"):
        raise PermissionDenied("您没有登记需求的权限。")
    form = FromTicketForm(request.POST or None, initial={"ticket_no": request.GET.get("ticket_no", "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        ticket = Ticket.objects.restrict(request.user).filter(ticket_no=form.cleaned_data["ticket_no"].strip()).first()
        if ticket is None:
            form.add_error("ticket_no", "未找到工单，或工单不在您的管辖范围内。")
        else:
            try:
                need = need_from_ticket(
                    actor=request.user, ticket=ticket, category=form.cleaned_data["category"],
                    title=form.cleaned_data["title"],
                )  # fmt: skip
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已将工单 {ticket.ticket_no} 登记为需求。")
                return redirect(need.get_absolute_url())
        status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "needs/from_ticket.html", {"form": form, "title": "由工单登记需求"}, status=status)
