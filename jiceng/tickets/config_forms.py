"""Forms of the settings pages (时限设置、工作日历): they collect and parse input; the services validate
the values (ranges, Chinese messages) and write with audit."""

from __future__ import annotations

import datetime as dt
import re

from django import forms

from jiceng.core.forms import DateInput, bootstrapify

from .choices import CategoryKind, Urgency
from .services import MAX_DISPATCH_HOURS, MAX_FEEDBACK_WORKDAYS

WORKDAY_CHOICES = [("0", "休息（非工作日）"), ("1", "上班（工作日）")]
#: The longest range one line of the bulk entry may cover (the longest holiday is 8–9 days).
MAX_RANGE_DAYS = 31
INT_ERRORS = {"required": "请填写。", "invalid": "请输入整数。"}


def field_name(kind: str, urgency: str, what: str) -> str:
    return f"{kind}-{urgency}-{what}"


class SlaTableForm(forms.Form):
    """One pair of inputs (派单小时、办结工作日) per category kind × urgency."""

    def __init__(self, *args, table: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in CategoryKind.values:
            for urgency in Urgency.values:
                hours, days, _ = table[kind, urgency]
                self.fields[field_name(kind, urgency, "dispatch_hours")] = forms.IntegerField(
                    initial=hours, error_messages=INT_ERRORS,
                    widget=forms.NumberInput(attrs={"min": 1, "max": MAX_DISPATCH_HOURS, "step": 1}),
                )  # fmt: skip
                self.fields[field_name(kind, urgency, "feedback_workdays")] = forms.IntegerField(
                    initial=days, error_messages=INT_ERRORS,
                    widget=forms.NumberInput(attrs={"min": 1, "max": MAX_FEEDBACK_WORKDAYS, "step": 1}),
                )  # fmt: skip
        bootstrapify(self)
        for field in self.fields.values():
            field.widget.attrs["class"] += " form-control-sm"

    def values(self) -> dict[tuple[str, str], tuple[int, int]]:
        return {
            (kind, urgency): (
                self.cleaned_data[field_name(kind, urgency, "dispatch_hours")],
                self.cleaned_data[field_name(kind, urgency, "feedback_workdays")],
            )
            for kind in CategoryKind.values
            for urgency in Urgency.values
        }


class WorkdayForm(forms.Form):
    """Set one day as working / non-working, with a note."""

    date = forms.DateField(label="日期", widget=DateInput(), error_messages={"required": "请选择日期。",
                                                                             "invalid": "日期格式不正确。"})  # fmt: skip
    is_workday = forms.TypedChoiceField(
        label="设为", choices=WORKDAY_CHOICES, coerce=lambda v: v == "1", error_messages={"required": "请选择。"}
    )
    note = forms.CharField(label="说明", max_length=100, required=False,
                           widget=forms.TextInput(attrs={"placeholder": "如：春节、春节调休上班"}))  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class WorkdayClearForm(forms.Form):
    date = forms.DateField(error_messages={"required": "请选择日期。", "invalid": "日期格式不正确。"})


DATE = r"\d{4}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?"
LINE = re.compile(rf"^({DATE})(?:\s*(?:~|～|至|到|—|–|--)\s*({DATE}))?\s*(休息|休|上班|班)\s*(.*)$")
WORDS = {"休": False, "休息": False, "班": True, "上班": True}


def parse_date(text: str) -> dt.date:
    y, m, d = (int(x) for x in re.findall(r"\d+", text))
    return dt.date(y, m, d)


class WorkdayBulkForm(forms.Form):
    """A holiday and its 调休 days in one go, one line each: ``开始[ 至 结束] 休|班 [说明]``.

    Parsing errors are reported per line and date; nothing is written unless every line is valid.
    """

    lines = forms.CharField(
        label="批量录入",
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "2027-02-05 至 2027-02-11 休 春节\n"
                                                               "2027-02-14 班 春节调休上班"}),
        error_messages={"required": "请录入至少一行。"},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)

    def clean_lines(self):
        entries: list[tuple[dt.date, bool, str]] = []
        errors: list[str] = []
        for number, raw in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            match = LINE.match(line)
            if not match:
                errors.append(f"第 {number} 行“{line}”：格式应为“开始日期[ 至 结束日期] 休|班 [说明]”。")
                continue
            start_text, end_text, word, note = match.groups()
            bad = []
            dates = []
            for text in filter(None, (start_text, end_text)):
                try:
                    dates.append(parse_date(text))
                except ValueError:
                    bad.append(f"第 {number} 行：日期“{text.strip()}”不存在。")
            if bad:
                errors.extend(bad)
                continue
            start, end = dates[0], dates[-1]
            if end < start:
                errors.append(f"第 {number} 行：结束日期 {end:%Y-%m-%d} 早于开始日期 {start:%Y-%m-%d}。")
                continue
            if (end - start).days + 1 > MAX_RANGE_DAYS:
                errors.append(f"第 {number} 行：一行最多 {MAX_RANGE_DAYS} 天（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）。")
                continue
            day = start
            while day <= end:
                entries.append((day, WORDS[word], note.strip()))
                day += dt.timedelta(days=1)
        if errors:
            raise forms.ValidationError(errors)
        if not entries:
            raise forms.ValidationError("请录入至少一行。")
        return entries
