"""The roster importers, by kind. A later capability adds its kind here (and nowhere else)."""

from __future__ import annotations

from .base import ROW_BY_ROW, BatchFallback, Col, Importer, Issue, Outcome, RowRejected
from .party import PartyMemberImporter, PartyOrgImporter
from .people import ResidentImporter, WorkerImporter
from .territory import BuildingImporter, GridImporter, HouseholdImporter, QuarterImporter
from .tickets import HotlineTicketImporter

IMPORTERS: dict[str, type[Importer]] = {
    cls.kind: cls
    for cls in (
        ResidentImporter,
        HouseholdImporter,
        BuildingImporter,
        GridImporter,
        QuarterImporter,
        PartyOrgImporter,
        PartyMemberImporter,
        WorkerImporter,
        HotlineTicketImporter,
    )
}
KIND_CHOICES = [(kind, cls.label) for kind, cls in IMPORTERS.items()]


def get_importer(kind: str) -> type[Importer]:
    try:
        return IMPORTERS[kind]
    except KeyError:
        raise ValueError(f"未知的导入类型“{kind}”。") from None


__all__ = [
    "IMPORTERS",
    "KIND_CHOICES",
    "ROW_BY_ROW",
    "BatchFallback",
    "Col",
    "Importer",
    "Issue",
    "Outcome",
    "RowRejected",
    "get_importer",
]
