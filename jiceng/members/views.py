"""Pages of 双报到 beyond the declared ones: a post's roster, the links list with its coverage, and the
member's own phone page (我的双报到: report, posts, services, households), which is what the 报到单 list
shows a member's personal account."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jiceng.core import entity_views
from jiceng.core.entities import entity_for
from jiceng.core.entity_views import EntityDetailView, EntityListView
from jiceng.core.errors import Conflict, OutOfScope
from jiceng.core.forms import bootstrapify
from jiceng.territory.models import Area
from jiceng.tickets.models import Category

from . import selectors, services
from .choices import ServiceKind, VisitKind
from .models import MemberReport, PostApplication, ServicePost, ServiceRecord


class ServicePostDetailView(EntityDetailView):
    """The post and its roster (花名册: the confirmed applications), then the pending ones."""

    template_name = "members/post_detail.html"

    def get_extra_context(self, obj):
        return {**super().get_extra_context(obj), **selectors.post_roster(obj, self.request.user)}


class RecordForm(forms.Form):
    date = forms.DateField(label="服务日期", widget=forms.DateInput())
    hours = forms.DecimalField(label="服务时长（小时）", max_digits=4, decimal_places=1)
    kind = forms.ChoiceField(label="服务类型", choices=ServiceKind.choices)
    post = forms.ModelChoiceField(label="服务岗位", queryset=ServicePost.objects.none(), required=False)
    content = forms.CharField(label="服务内容", max_length=300)


class VisitForm(forms.Form):
    household = forms.TypedChoiceField(label="走访户", coerce=int, choices=())
    date = forms.DateField(label="走访日期", widget=forms.DateInput())
    kind = forms.ChoiceField(label="走访方式", choices=VisitKind.choices)
    notes = forms.CharField(label="走访情况", widget=forms.Textarea(attrs={"rows": 3}))
    problem = forms.CharField(label="发现的问题（转为诉求）", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.ModelChoiceField(
        label="问题类别", required=False, queryset=Category.objects.filter(is_active=True).exclude(kind="event")
    )


def _errors(exc) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def my_page(request):
    """我的双报到 (phone first): the member's report, the posts of their community, their services and the
    households they look after. POSTs carry ``op`` (report / apply / record / visit); no id in the URL."""
    user = request.user
    if not user.party_member_id:
        raise PermissionDenied("该页面仅供关联了党员信息的账号使用。")
    member = user.party_member
    data = selectors.member_home(user, member)
    record_form = RecordForm(initial={"date": timezone.localdate(), "kind": "post", "hours": 2})
    record_form.fields["post"].queryset = data["roster_posts"]
    visit_form = VisitForm(initial={"date": timezone.localdate(), "kind": "home"})
    visit_form.fields["household"].choices = [(h.pk, str(h)) for h in data["households"]]
    error = ""
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "report":
                entity_for(MemberReport).service.create(actor=user, skills=request.POST.get("skills", "")[:300])
                messages.success(request, "报到已提交，请等待社区确认。")
            elif op == "apply":
                post = data["posts"].filter(pk=request.POST.get("post") or 0).first()
                if post is None:
                    raise ValidationError("请选择本社区开放的服务岗位。")
                entity_for(PostApplication).service.create(actor=user, post=post)
                messages.success(request, f"已申请岗位“{post.name}”，请等待社区确认。")
            elif op == "record":
                record_form = RecordForm(request.POST)
                record_form.fields["post"].queryset = data["roster_posts"]
                if not record_form.is_valid():
                    raise ValidationError([e for errs in record_form.errors.values() for e in errs])
                clean = record_form.cleaned_data
                entity_for(ServiceRecord).service.create(actor=user, **clean)
                messages.success(request, "服务已登记，请等待社区确认。")
            elif op == "visit":
                visit_form = VisitForm(request.POST)
                visit_form.fields["household"].choices = [(h.pk, str(h)) for h in data["households"]]
                if not visit_form.is_valid():
                    raise ValidationError([e for errs in visit_form.errors.values() for e in errs])
                clean = visit_form.cleaned_data
                household = next(h for h in data["households"] if h.pk == clean["household"])
                result = services.visit_create(
                    actor=user, household=household, date=clean["date"], kind=clean["kind"], notes=clean["notes"],
                    problem=clean["problem"], category=clean["category"],
                )  # fmt: skip
                messages.success(request, "走访已记录" + ("，发现的问题已转为诉求。" if result.obj.ticket_id else "。"))
            else:
                raise ValidationError("未知的操作。")
            return redirect(reverse("members:memberreport_list"))
        except (ValidationError, OutOfScope, Conflict, PermissionDenied) as exc:
            error = _errors(exc)
    bootstrapify(record_form)
    bootstrapify(visit_form)
    context = {**data, "record_form": record_form, "visit_form": visit_form, "error": error, "title": "我的双报到"}
    return render(request, "members/my.html", context, status=400 if error else 200)


class GeneratedListView(EntityListView):
    """A hand-written list page that keeps the table, filters and add button the declaration generates."""

    @property
    def table_class(self):
        return entity_views.table_class(self.entity)

    @property
    def filterset_class(self):
        return entity_views.filterset_class(self.entity)

    @property
    def add_url(self):
        return reverse(self.entity.url_name("add"))


class MemberReportListView(GeneratedListView):
    """报到单: the community's list; a member's own account (no staff grant) gets their phone page instead."""

    def _personal(self, request) -> bool:
        user = request.user
        return bool(
            user.is_authenticated and user.party_member_id and not user.scope.grants_with(self.entity.perm("view"))
        )

    def get(self, request, *args, **kwargs):
        if self._personal(request):
            return my_page(request)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self._personal(request):
            return my_page(request)
        raise PermissionDenied("该页面不接受提交。")


class HouseholdLinkListView(GeneratedListView):
    """党员联系户, with the coverage above it: households with no linked member, by grid."""

    template_name = "members/link_list.html"

    def get_extra_context(self):
        top = self.request.user.scope.top_grant
        # By grid for a community or a grid (a street's or the district's thousands of grids: per community).
        local = top is not None and len(top.area_path) >= 3 * Area.steplen
        return {
            **super().get_extra_context(),
            "coverage": selectors.coverage_by_grid(self.request.user) if local else None,
        }
