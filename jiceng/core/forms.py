"""Form base classes: forms describe input; the service validates and writes."""

from __future__ import annotations

from django import forms


def bootstrapify(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput,)):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select"
        elif isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
            css = ""
        else:
            css = "form-control"
        if css:
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
        if isinstance(widget, forms.DateInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"


class ServiceModelForm(forms.ModelForm):
    """A ModelForm that only collects and cleans input; the service does model validation and saving.

    ``user`` limits every choice of a related object to what the user may see.
    """

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, (forms.ModelChoiceField, forms.ModelMultipleChoiceField)):
                qs = field.queryset
                if hasattr(qs, "restrict") and user is not None:
                    limited = self.limit_choices(name, qs.restrict(user, "view"))
                    current = self._current_pks(name)
                    if current:
                        # Keep what the object already points at, even where the user cannot see it
                        # (a grid worker's building in a quarter, a community committee's street
                        # parent): an unchanged form must save unchanged, never silently unlink.
                        limited = limited | self.limit_choices(name, qs.filter(pk__in=current))
                    field.queryset = limited
        bootstrapify(self)

    def limit_choices(self, name, queryset):
        return queryset

    def _current_pks(self, name) -> list:
        instance = getattr(self, "instance", None)
        if instance is None or instance.pk is None:
            return []
        try:
            field = instance._meta.get_field(name)
        except Exception:  # noqa: BLE001 - a form-only field has no current value
            return []
        if field.many_to_many:
            return list(getattr(instance, name).values_list("pk", flat=True))
        if field.many_to_one or field.one_to_one:
            value = getattr(instance, field.attname, None)
            return [value] if value is not None else []
        return []

    def _post_clean(self):
        # Model validation (full_clean) runs inside the service, on the complete object.
        pass

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


KEEP_HELP = "出于个人信息保护不回显原值；留空则保持不变。"


class PersonalDataMixin:
    """Encrypted fields as write-only inputs."""

    personal_fields: tuple[str, ...] = ()

    def setup_personal_fields(self, instance):
        for name in self.personal_fields:
            field = self.fields[name]
            self.initial[name] = ""
            masked = getattr(instance, f"{name}_masked", "") if instance is not None and instance.pk else ""
            if masked:
                field.required = False
                field.widget.attrs["placeholder"] = masked
                field.help_text = f"当前：{masked}。{KEEP_HELP}"
            field.widget.attrs["autocomplete"] = "off"

    def drop_unchanged_personal(self, data: dict) -> dict:
        for name in self.personal_fields:
            if name in data and not data[name] and self.instance.pk:
                data.pop(name)
        return data
