from django import template
from django.urls import NoReverseMatch, reverse

from jiceng.core.masking import mask_id_number, mask_phone

register = template.Library()


@register.filter
def masked_id(value):
    return mask_id_number(value)


@register.filter
def masked_phone(value):
    return mask_phone(value)


@register.simple_tag(takes_context=True)
def can(context, perm):
    user = context["request"].user
    return user.is_authenticated and user.scope.has_perm(perm)


@register.simple_tag(takes_context=True)
def nav_active(context, prefix):
    return "active" if context["request"].path.startswith(prefix) else ""


@register.simple_tag
def url_or_empty(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.filter
def yesno_cn(value):
    return "是" if value else "否"


@register.inclusion_tag("components/field.html")
def field(bound_field):
    return {"field": bound_field}
