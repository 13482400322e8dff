from django import forms

from jiceng.party.models import PartyOrg

from .choices import DutyPeriod
from .models import PartTimeMember


class RosterGenerateForm(forms.Form):
    committee = forms.ModelChoiceField(label="大党委（大工委）", queryset=PartyOrg.objects.none())
    period = forms.ChoiceField(label="轮值周期", choices=DutyPeriod.choices, initial=DutyPeriod.MONTH)
    count = forms.IntegerField(label="生成期数", min_value=1, max_value=36, initial=12)
    start = forms.DateField(
        label="起始日期", required=False, help_text="已有轮值表时从最后一期之后接续；没有时默认从本月（本季度）开始。"
    )

    def __init__(self, *args, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees


class SignInForm(forms.Form):
    member = forms.ModelChoiceField(label="兼职委员", queryset=PartTimeMember.objects.none())

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
