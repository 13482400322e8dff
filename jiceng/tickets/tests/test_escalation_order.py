"""The 上报 targets are offered in hierarchy order, nearest level first."""

import pytest

from jiceng.tickets.choices import Status
from jiceng.tickets.forms import ActionForm

pytestmark = pytest.mark.django_db


def test_escalation_targets_are_listed_nearest_level_first(world, make_ticket):
    ticket = make_ticket(Status.IN_PROGRESS)
    field = ActionForm(action="escalate", ticket=ticket).fields["to_org"]
    labels = [label for value, label in field.choices if value]
    assert labels == ["文昌花园社区（社区）", "龙蟠街道（街道）", f"{world.district_org.name}（区）"]
