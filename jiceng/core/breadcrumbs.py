"""Breadcrumbs down the territory tree; ancestors outside the user's scope show as plain text."""

from __future__ import annotations

from django.urls import reverse


def area_breadcrumbs(user, area, *, tail: list[dict] | None = None, chain=None) -> list[dict]:
    """``chain``: the areas from the root down to ``area`` when the caller has read them already."""
    crumbs = [{"name": "首页", "url": reverse("dashboards:home")}]
    if area is not None:
        visible = {g.area_path for g in user.scope.grants_with("territory.view_area")}
        if chain is not None:
            nodes = [(a.pk, a.path, a.name) for a in chain]
        else:
            nodes = area.ancestors_and_self().values_list("pk", "path", "name")
        for pk, path, name in nodes:
            url = reverse("territory:area_detail", args=[pk])
            in_scope = any(path.startswith(p) for p in visible)
            crumbs.append({"name": name, "url": url if in_scope else None})
    return crumbs + (tail or [])
