"""Filter-set base for the web lists."""

from html import escape as _escape  # what Django's escape calls, without its lazy wrapper (per option)

import django_filters as filters
from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.html import escape
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A single ``<select>`` rendered in Python, not one template per ``<option>``.

    Django renders each option through the widget templates, which for a street's 120 grids was much
    of the resident list's time (docs/decisions/scale.md, "Rendering"). Same markup as ``forms.Select``
    for flat choices (the filters' choices are flat: model choices and ``TextChoices``)."""

    def _choice_pairs(self):
        """(value, label) pairs. Model choices whose label is one column (``choice_label_field``, e.g. a
        grid's name) are read as ``values_list`` pairs instead of model instances: same values, same
        labels, same order, a fraction of the cost (a street's 120 grids on every list page)."""
        choices = self.choices
        field = getattr(choices, "field", None)
        queryset = getattr(choices, "queryset", None)
        label = getattr(getattr(queryset, "model", None), "choice_label_field", None)
        if (
            not isinstance(choices, ModelChoiceIterator)
            or label is None
            or type(field).label_from_instance is not forms.ModelChoiceField.label_from_instance
        ):
            yield from choices
            return
        if field.empty_label is not None:
            yield "", field.empty_label
        if getattr(field, "null_label", None) is not None:  # django-filter's "null" choice
            yield field.null_value, field.null_label
        yield from queryset.values_list(field.to_field_name or "pk", label)

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        final = self.build_attrs(self.attrs, attrs)
        attrs_html = "".join(
            f" {escape(k)}" if v is True else f' {escape(k)}="{escape(v)}"'
            for k, v in final.items()
            if v is not False and v is not None
        )
        options = "".join(
            f'<option value="{_escape(str(v))}"{" selected" if str(v) in selected else ""}>{_escape(str(label))}</option>'
            for v, label in self._choice_pairs()
        )
        return mark_safe(f'<select name="{escape(name)}"{attrs_html}>{options}</select>')  # all escaped


class ScopedFilterSet(filters.FilterSet):
    """Choices of related nodes are limited to what the requesting user may see."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for f in self.filters.values():
            qs = getattr(f, "queryset", None)
            if qs is not None and hasattr(qs, "restrict") and user is not None:
                f.queryset = qs.restrict(user, "view")
        for field in self.form.fields.values():
            css = "form-select form-select-sm" if hasattr(field, "choices") else "form-control form-control-sm"
            if type(field.widget) is forms.Select:
                fast = FastSelect(attrs=field.widget.attrs, choices=field.widget.choices)
                fast.is_required = field.widget.is_required
                field.widget = fast
            field.widget.attrs["class"] = css
