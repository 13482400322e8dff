from django import forms

from .choices import ImportMode, OnExisting
from .importers import KIND_CHOICES


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="导入类型", choices=KIND_CHOICES)
    file = forms.FileField(label="文件", help_text="支持 .xlsx、.xls、.xlsb、.ods、.csv（UTF-8 或 GBK）")
    mode = forms.ChoiceField(label="导入方式", choices=ImportMode.choices, initial=ImportMode.ALL_OR_NOTHING)
    on_existing = forms.ChoiceField(label="已登记的记录", choices=OnExisting.choices, initial=OnExisting.UPDATE)
    dry_run = forms.BooleanField(label="仅校验，不写入", required=False)

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [(k, v) for k, v in KIND_CHOICES if k in kinds]
        for name, field in self.fields.items():
            if name == "dry_run":
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field, forms.ChoiceField):
                field.widget.attrs["class"] = "form-select"
            else:
                field.widget.attrs["class"] = "form-control"
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.xlsm,.xls,.xlsb,.ods,.csv"
