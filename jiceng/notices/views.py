"""The notice pages: the user's own list, mark read, open one (→ its target, if still visible), the bell."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services


@login_required
def notice_list(request):
    qs = selectors.notices_for(request.user, unread=bool(request.GET.get("unread")))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    unread = selectors.unread_count(request.user)
    return render(request, "notices/notice_list.html", {"title": "站内通知", "page": page, "unread": unread})


@login_required
@require_POST
def notice_read(request):
    ids = request.POST.getlist("ids")
    try:
        ids = [int(i) for i in ids] if ids else None
    except ValueError:
        ids = []
    if ids:  # an id no row can have (beyond a 64-bit key) matches nothing, rather than overflowing the query
        ids = [i for i in ids if 0 < i < 2**63]
    count = services.notices_mark_read(actor=request.user, ids=ids)
    messages.success(request, f"已将 {count} 条通知标为已读。")
    return redirect("notices:list")


@login_required
def notice_open(request, pk):
    note = selectors.notices_for(request.user).filter(pk=pk).first()
    if note is None:
        raise Http404("未找到通知。")
    services.notices_mark_read(actor=request.user, ids=[note.pk])
    if note.target_url and selectors.target_visible(note, request.user):
        return redirect(note.target_url)
    if note.target_id is not None:  # the target is gone, or no longer in the user's scope: say so, show nothing
        messages.info(request, "该通知所指的对象已不存在或不在您的管辖范围内。")
    return redirect("notices:list")


def notice_badge(request):
    """The bell's unread count (loaded by htmx into the navbar)."""
    if not request.user.is_authenticated:
        return HttpResponse("")
    count = selectors.unread_count(request.user)
    if not count:
        return HttpResponse('<span id="jc-bell-count" data-count="0"></span>')
    shown = "99+" if count > 99 else str(count)
    return HttpResponse(
        f'<span id="jc-bell-count" data-count="{count}" class="badge rounded-pill bg-danger">{shown}</span>'
    )
