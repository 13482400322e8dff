"""Reading notices: a user's own, the unread count, and whether a notice's target may still be opened."""

from __future__ import annotations

from .models import Notice


def notices_for(user, *, unread: bool = False):
    qs = Notice.objects.filter(user=user)
    return qs.filter(read_at__isnull=True) if unread else qs


def unread_count(user) -> int:
    return notices_for(user, unread=True).count()


def target_visible(notice: Notice, user) -> bool:
    """Whether ``user`` may still view the notice's target (through its model's scoped ``restrict``; a
    target gone, or a model without one, counts as not visible)."""
    if notice.target_type_id is None or notice.target_id is None:
        return False
    model = notice.target_type.model_class()
    restrict = getattr(model._default_manager if model else None, "restrict", None)
    if restrict is None:
        return False
    return restrict(user, "view").filter(pk=notice.target_id).exists()


#: model → (labeller, alias): ``labeller(ids)`` returns ``{pk: label}`` for the targets of one model in one
#: query (a ticket's number); ``alias`` names the legacy API fields the label also fills (``ticket``,
#: ``ticket_no``). Apps register in their ``AppConfig.ready()`` (``register_target_label``).
_LABELLERS: dict = {}


def register_target_label(model, labeller, *, alias: str | None = None) -> None:
    """Say how a notice's target of ``model`` is named in lists (its number, its title)."""
    _LABELLERS[model] = (labeller, alias)


def target_labels(notices) -> dict[int, tuple[str, str | None]]:
    """``{notice pk: (label, alias)}`` for the notices whose target's model registered a labeller: one
    query per model on the page, not per row."""
    from django.contrib.contenttypes.models import ContentType

    by_type: dict[int, list] = {}
    for n in notices:
        if n.target_type_id is not None and n.target_id is not None:
            by_type.setdefault(n.target_type_id, []).append(n)
    out = {}
    for type_id, rows in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()  # cached
        entry = _LABELLERS.get(model)
        if entry is None:
            continue
        labeller, alias = entry
        labels = labeller({n.target_id for n in rows})
        out.update({n.pk: (labels[n.target_id], alias) for n in rows if n.target_id in labels})
    return out
