from functools import lru_cache
from types import SimpleNamespace

from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, perm):
    user = context["request"].user
    return user.is_authenticated and user.scope.has_perm(perm)


@register.simple_tag(takes_context=True)
def nav_active(context, prefix):
    return "active" if context["request"].path.startswith(prefix) else ""


def _nav_section(path: str) -> str:
    """The first two segments of ``path`` ("/tickets/mine/", "/people/", "/"): every ``nav_active`` prefix in
    ``components/nav.html`` is at most two segments long, so the menu is the same for every path that
    shares them."""
    parts = path.split("/")
    return "/".join(parts[:3]) + ("/" if len(parts) > 3 else "")


@register.simple_tag(takes_context=True)
def nav(context):
    """The navigation menu, rendered once per process for each (set of roles, section) and reused.

    What the menu shows depends only on the permissions, which depend only on the user's roles
    (``UserScope.has_perm``), and on which section is active, so its ≈ 30 ``{% url %}`` and ``{% can %}``
    tags need not run on every page (docs/decisions/scale.md, "Rendering")."""
    request = context["request"]
    user = request.user
    if not user.is_authenticated:
        return ""
    roles = tuple(sorted({g.role for g in user.scope.grants}))
    return _rendered_nav(roles, _nav_section(request.path), tuple(sorted(user.scope.area_list_kinds)))


@lru_cache(maxsize=512)
def _rendered_nav(roles: tuple[str, ...], section: str, area_kinds: tuple[str, ...] = ()) -> str:
    from jiceng.accounts.roles import ROLES

    scope = SimpleNamespace(
        has_perm=lambda perm: any(ROLES[r].has_perm(perm) for r in roles), area_list_kinds=frozenset(area_kinds)
    )
    user = SimpleNamespace(is_authenticated=True, scope=scope)
    request = SimpleNamespace(path=section, user=user)
    return mark_safe(get_template("components/nav.html").render({"request": request, "user": user}))


@register.simple_tag
def static_or_plain(path):
    """``{% static %}`` (the fingerprinted name under the production manifest storage), or the plain
    ``STATIC_URL`` path should the manifest lack it: the error pages must render even then (the 500 page
    is what a broken deployment shows); collectstatic keeps the unhashed copy, which still serves."""
    from django.conf import settings
    from django.templatetags.static import static

    try:
        return static(path)
    except ValueError:  # "Missing staticfiles manifest entry"
        return settings.STATIC_URL + path


@register.inclusion_tag("components/field.html")
def field(bound_field):
    return {"field": bound_field}
