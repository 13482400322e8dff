"""What the apps above territory add to its pages, registered in their ``AppConfig.ready()``.

The area page shows the node's figures (``jiceng.dashboards``) and its Party organisations (``jiceng.party``),
the household page its members (``jiceng.people``); territory names none of those apps. A contributor is
``fn(user, obj) -> dict`` of template context for one page (``"area_detail"``, ``"household_detail"``),
the same keys the template reads; the page fills in what no contributor gave (breadcrumbs, empty lists).
"""

from __future__ import annotations

from collections.abc import Callable

Contributor = Callable[..., dict]

_contributors: dict[str, list[Contributor]] = {}


def register_page_context(page: str, contributor: Contributor) -> None:
    """Add ``contributor(user, obj)``'s context to ``page``; registering the same function twice adds it once."""
    found = _contributors.setdefault(page, [])
    if contributor not in found:
        found.append(contributor)


def page_context(page: str, user, obj) -> dict:
    """The context every contributor of ``page`` adds for ``obj``, in registration order."""
    context: dict = {}
    for contributor in _contributors.get(page, ()):
        context.update(contributor(user, obj))
    return context
