"""What the audit screens call things, contributed by every app (NetBox's ``registry``).

The services write codes (``ticket_accept``, ``import_submit``) and English keys into the append-only log;
the auditor reads Chinese. Each app registers, in its ``AppConfig.ready()``, the Chinese names of the event
types it writes (the ticket app derives its own from the transition table), the labels and value names of
the ``detail`` keys it writes, and which fields of its models the auditor reads only masked. The audit app
names no other app: a new capability adds its events here from its own ``apps.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The mark shown for a masked value that has no partial form (an address, a household).
HIDDEN = "（已隐藏）"


@dataclass(frozen=True)
class Event:
    code: str
    label: str
    group: str


#: Event type code → its Chinese name and the group the audit filter lists it under.
EVENTS: dict[str, Event] = {}
#: (event code or ``None`` for any event, ``detail`` key) → Chinese label (the keys services write next to
#: ``changes``).
DETAIL_LABELS: dict[tuple[str | None, str], str] = {}
#: (event code or ``None`` for any event, ``detail`` key) → how a stored value reads.
DETAIL_VALUES: dict[tuple[str | None, str], Callable[[Any], str]] = {}
#: Model label (``people.Resident``) → field name → the masker the auditor reads that field through.
MASKS: dict[str, dict[str, Callable[[Any], str]]] = {}
#: Model label → its fields whose value the trail never copies (encrypted or hashed personal data, a
#: password hash): a snapshot records only whether one is set.
SECRET: dict[str, frozenset[str]] = {}
#: Model label → its sensitive personal information (PIPL art. 28: religious belief, specific identity …)
#: and what points straight at an identifier: the trail records only *that* such a field changed.
SENSITIVE: dict[str, frozenset[str]] = {}
#: The names of every registered sensitive field, for what carries no model (a stored ``changes`` dict,
#: rows written before a field was declared): updated in place, so importers keep the same set.
SENSITIVE_FIELDS: set[str] = set()
#: Model label → how the trail names an object whose ``str()`` is itself sensitive (``"人群标签 #{pk}"``).
NEUTRAL_REPR: dict[str, str] = {}


def register_events(group: str, labels: Mapping[str, str]) -> None:
    """Name the event types an app writes (``{"ticket_accept": "工单受理"}``), under a filter group."""
    for code, label in labels.items():
        EVENTS[code] = Event(code=code, label=str(label), group=group)


def register_detail(
    labels: Mapping[str, str] | None = None,
    values: Mapping[str, Mapping | Callable[[Any], str]] | None = None,
    *,
    events: Iterable[str] | None = None,
) -> None:
    """Label ``detail`` keys and name their values (a mapping, a ``TextChoices`` class or a callable),
    for the given event types only (``events``) or for any event."""
    scopes = list(events) if events is not None else [None]
    for event in scopes:
        DETAIL_LABELS.update({(event, k): str(v) for k, v in (labels or {}).items()})
    for key, names in (values or {}).items():
        reader = _reader(names)
        for event in scopes:
            DETAIL_VALUES[(event, key)] = reader


def register_masks(model_label: str, maskers: Mapping[str, Callable[[Any], str]]) -> None:
    """The fields of ``model_label`` the auditor reads masked, as on the model's own lists."""
    MASKS.setdefault(model_label, {}).update(maskers)


def register_redaction(
    model_label: str,
    *,
    secret: Iterable[str] = (),
    sensitive: Iterable[str] = (),
    neutral_repr: str | None = None,
) -> None:
    """What the trail must not record of ``model_label``'s rows, declared by the app that owns the model:
    ``secret`` fields (only whether set), ``sensitive`` fields (only that they changed) and a neutral
    name (``"人群标签 #{pk}"``) for objects whose ``str()`` would tell what is sensitive."""
    if secret:
        SECRET[model_label] = SECRET.get(model_label, frozenset()) | frozenset(secret)
    if sensitive:
        SENSITIVE[model_label] = SENSITIVE.get(model_label, frozenset()) | frozenset(sensitive)
        SENSITIVE_FIELDS.update(sensitive)
    if neutral_repr is not None:
        NEUTRAL_REPR[model_label] = neutral_repr


def event_label(code: str) -> str:
    event = EVENTS.get(code)
    return event.label if event is not None else code


def event_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The audit filter's choices: grouped in the order the apps registered them, sorted by name within."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for event in EVENTS.values():
        groups.setdefault(event.group, []).append((event.code, event.label))
    return [(group, sorted(items, key=lambda kv: kv[1])) for group, items in groups.items()]


def detail_label(event: str, key: str) -> str | None:
    return DETAIL_LABELS.get((event, key)) or DETAIL_LABELS.get((None, key))


def detail_value(event: str, key: str, value: Any) -> str | None:
    """The registered reading of a ``detail`` value, or ``None`` when nothing is registered for it."""
    reader = DETAIL_VALUES.get((event, key)) or DETAIL_VALUES.get((None, key))
    return None if reader is None else reader(value)


def masker(model_label: str, field: str) -> Callable[[Any], str] | None:
    return MASKS.get(model_label, {}).get(field)


def _reader(names) -> Callable[[Any], str]:
    if callable(names) and not isinstance(names, type):
        return names
    if isinstance(names, type) and hasattr(names, "choices"):  # a Django ``Choices`` class
        names = dict(names.choices)
    table = {str(k): str(v) for k, v in dict(names).items()}
    return lambda value: table.get(str(value), str(value))


# --- masking helpers the apps register -----------------------------------------------------------------


def mask_hidden(value: Any) -> str:
    return "" if value in (None, "") else HIDDEN


def mask_birth_date(value: Any) -> str:
    """Only the year, as an age is shown: 1985-**-**."""
    text = "" if value is None else str(value)
    return f"{text[:4]}-**-**" if len(text) >= 4 else mask_hidden(value)
