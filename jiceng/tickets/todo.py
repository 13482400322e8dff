"""我的待办 as a page shows it: the groups of :func:`selectors.todo` with their list links and deadlines.

Shared by the 待办 page (``views.todo``) and the home page of a department or unit handler
(``jiceng.dashboards``), which must not import this app's views.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from . import selectors
from .tables import due_html


def todo_context(user) -> dict:
    data = selectors.todo(user)
    for group in data["groups"]:
        group["url"] = f"{reverse('tickets:list')}?{urlencode(group['params'])}"
        for ticket in group["tickets"]:
            ticket.due_text = due_html(ticket)
    return {"title": "我的待办", "todo": data}
