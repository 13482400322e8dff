"""Template tags of the imports app (the menu asks whether the user may import anything)."""

from django import template

from jiceng.imports.services import importable_kinds

register = template.Library()


@register.simple_tag(takes_context=True)
def can_import_any(context):
    """Whether the user may import some kind of data (each kind has its own permission)."""
    user = context["request"].user
    return user.is_authenticated and bool(importable_kinds(user))
