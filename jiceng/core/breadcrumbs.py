"""Breadcrumbs down the territory tree; ancestors outside the user's scope show as plain text."""

from __future__ import annotations

from django.urls import reverse


def area_breadcrumbs(user, area, *, tail: list[dict] | None = None) -> list[dict]:
    from jiceng.territory.models import Area

    crumbs = [{"name": "首页", "url": reverse("dashboards:home")}]
    if area is not None:
        visible = {g.area_path for g in user.scope.grants_with("territory.view_area")}
        nodes = (
            Area.objects.filter(path__in=[area.path[: i * Area.steplen] for i in range(1, area.depth + 1)])
            .order_by("depth")
            .values_list("pk", "path", "name")
        )
        for pk, path, name in nodes:
            url = reverse("territory:area_detail", args=[pk])
            in_scope = any(path.startswith(p) for p in visible)
            crumbs.append({"name": name, "url": url if in_scope else None})
    return crumbs + (tail or [])
