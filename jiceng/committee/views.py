"""The committee's own pages beside the declared ones: the committee page (seats, the chair now and next,
meetings, open items), the roster generator, a meeting's page and its sign-in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from jiceng.core.entity_views import EntityDetailView
from jiceng.core.views import ScopedViewMixin
from jiceng.party.models import PartyOrg

from . import selectors
from .forms import RosterGenerateForm, SignInForm
from .models import JointMeeting, PartTimeMember
from .services import meeting_sign_in, roster_generate


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


class CommitteeListView(LoginRequiredMixin, View):
    """The 大党委 / 大工委 the user may view, each with its chair today."""

    def get(self, request):
        committees = list(selectors.big_committees(request.user).order_by("scope_path"))
        rows = [(c, selectors.duty_on(c)) for c in committees]
        return render(request, "committee/committee_list.html", {"title": "大党委（大工委）", "rows": rows})


class CommitteeView(ScopedViewMixin, View):
    """One big committee: its seats (委员与兼职委员), the unit chairing now and the next one, the roster,
    the recent joint meetings and the open action items."""

    model = PartyOrg
    queryset = PartyOrg.objects.filter(is_big_committee=True).select_related("area")

    def get(self, request, pk):
        committee = self.get_object(pk=pk)
        context = {"object": committee, "title": str(committee), **selectors.committee_page(request.user, committee)}
        context["can_roster"] = request.user.scope.has_perm("committee.add_dutyroster")
        return render(request, "committee/committee_detail.html", context)


class RosterGenerateView(LoginRequiredMixin, View):
    """生成轮值表: round-robin over the committee's units, after its last period."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.scope.has_perm("committee.add_dutyroster"):
            raise PermissionDenied("您没有编排轮值的权限。")
        return super().dispatch(request, *args, **kwargs)

    def _form(self, request, data=None):
        committees = selectors.big_committees(request.user).order_by("scope_path")
        initial = {"committee": request.GET.get("committee")} if data is None else None
        return RosterGenerateForm(data, initial=initial, committees=committees)

    def _render(self, request, form, status=200):
        context = {"form": form, "title": "生成轮值表", "object": None}
        return render(request, "generic/object_edit.html", context, status=status)

    def get(self, request):
        return self._render(request, self._form(request))

    def post(self, request):
        form = self._form(request, request.POST)
        if not form.is_valid():
            return self._render(request, form, 400)
        data = form.cleaned_data
        try:
            rows = roster_generate(
                actor=request.user, committee=data["committee"], count=data["count"], period=data["period"],
                start=data["start"],
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
            return self._render(request, form, 400)
        except IntegrityError:
            form.add_error(None, "保存时与他人的修改冲突，未作任何更改，请刷新后重试。")
            return self._render(request, form, 409)
        messages.success(request, f"已生成 {len(rows)} 期轮值安排。")
        return redirect(reverse("committee:committee_detail", args=[data["committee"].pk]))


class MeetingDetailView(EntityDetailView):
    """The declared detail page plus the sign-in sheet, the items decided and the items carried over."""

    template_name = "committee/meeting_detail.html"

    def get_extra_context(self, obj):
        context = super().get_extra_context(obj)
        context.update(
            attendance=obj.attendance.select_related("member__unit"),
            items=obj.action_items.select_related("owner_unit", "owner_member"),
            carried=obj.carried_items.select_related("owner_unit", "owner_member", "meeting"),
            sign_in_url=reverse("committee:jointmeeting_sign_in", args=[obj.pk]),
            add_item_url=reverse("committee:actionitem_add") + f"?meeting={obj.pk}",
        )
        return context


class MeetingSignInView(ScopedViewMixin, View):
    """签到: the committee's part-time members in office on the meeting's day, not yet signed in."""

    model = JointMeeting

    def _members(self, meeting):
        signed = meeting.attendance.values("member_id")
        return (
            selectors.active_members(meeting.committee, meeting.date)
            .restrict(self.request.user)
            .exclude(pk__in=signed)
            .order_by("unit__name", "name")
        )

    def _render(self, request, meeting, form, status=200):
        context = {"object": meeting, "form": form, "title": f"会议签到：{meeting}", "verbose_name": "会议签到"}
        return render(request, "committee/sign_in.html", context, status=status)

    def get(self, request, pk):
        meeting = self.get_object(pk=pk)
        return self._render(request, meeting, SignInForm(members=self._members(meeting)))

    def post(self, request, pk):
        meeting = self.get_object(pk=pk)
        if not self.can("change"):
            raise PermissionDenied("您没有登记签到的权限。")
        form = SignInForm(
            request.POST, members=PartTimeMember.objects.restrict(request.user).filter(committee=meeting.committee)
        )
        if not form.is_valid():
            return self._render(request, meeting, form, 400)
        try:
            meeting_sign_in(actor=request.user, meeting=meeting, member=form.cleaned_data["member"])
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
            return self._render(request, meeting, form, 400)
        messages.success(request, f"{form.cleaned_data['member'].name}已签到。")
        return redirect(reverse("committee:jointmeeting_sign_in", args=[meeting.pk]))
