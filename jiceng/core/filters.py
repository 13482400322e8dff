"""Filter-set base for the web lists."""

import django_filters as filters


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
            field.widget.attrs["class"] = css
