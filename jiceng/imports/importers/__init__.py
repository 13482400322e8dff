"""The roster importers, by kind: the hand-written ones below and one per declared entity with
``import_columns`` (``core.entities``; a new app adds nothing here)."""

from __future__ import annotations

from jiceng.core import entities

from .base import ROW_BY_ROW, BatchFallback, Col, Importer, Issue, Outcome, RowRejected
from .entity import importer_for
from .orgs import UnitImporter
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
        UnitImporter,
        *(importer_for(e) for e in entities.entities() if e.import_columns),
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
