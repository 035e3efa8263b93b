"""Rules of the indicators domain: receiving, checking and reading reports."""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from cae_contract.catalogue import (
    DIMENSION_LISTS,
    REPORT_SCHEMA,
    dimension_title,
    get_catalogue,
)
from cae_contract.consistency import (
    Breakdowns,
    Cell,
    cells_of,
    check_consistency,
    load_rules,
    outlier_warnings,
)
from cae_contract.continuity import lost_breakdown_warnings
from cae_contract.periods import Period, check_reportable
from cae_contract.problems import ErrorItem
from cae_contract.versions import Acceptance
from hub.audit.service import SYSTEM, Actor, audit_service, record
from hub.db import utcnow
from hub.errors import Conflict, InProgress, NotFound, ValidationFailed
from hub.indicators.models import IndicatorReport
from hub.indicators.repository import DIM_COLUMNS, ReportRepository
from hub.indicators.schemas import Catalogue as CataloguePublic
from hub.indicators.schemas import (
    CatalogueEntry,
    DimensionInfo,
    HeldReport,
    HeldReports,
    ImportSummary,
    Issue,
    ReportCell,
    ReportDocument,
    RevisionInfo,
)
from hub.members.models import Member
from hub.members.repository import MemberRepository
from hub.schemas.uploads import decode_document, validated

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout passed
DISCLOSURE = {
    "persons": ["frequency", "small_count", "secondary"],
    "amount": ["frequency", "dominance", "secondary"],
    "ratio": ["frequency", "small_count", "secondary"],
}


def parse_period(text: str, *, where: str = "path.period") -> Period:
    """A reportable period, or a 422 naming ``where``."""
    try:
        period = Period.parse(text)
        check_reportable(period, earliest_year=load_rules().earliest_year)
    except ValueError as exc:
        raise ValidationFailed(
            f"Période refusée : {exc}.", errors=[ErrorItem(where, str(exc))]
        ) from exc
    return period


def content_hash(cells: Sequence[Cell]) -> str:
    """The same content, in any order, has the same hash.

    The hash of the sorted lines ``indicator|name=code&name=code|centi`` (names sorted, the
    total's middle part empty). Each shape of cell has its line written by one ``%``
    template (``"%s|sex=%s&trade=%s|%d"``): codes and values are its arguments, never part
    of the template."""
    templates: dict[tuple[str, ...], str] = {}
    lines: list[str] = []
    append = lines.append
    for cell in cells:
        names = cell.dim_names
        template = templates.get(names)
        if template is None:
            middle = "&".join([f"{name.replace('%', '%%')}=%s" for name in names])
            template = templates[names] = f"%s|{middle}|%d"
        append(template % (cell.indicator, *cell.codes, cell.centi))
    lines.sort()
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


_DIM_POSITION = {name: 2 + position for position, name in enumerate(DIM_COLUMNS)}
_EMPTY_DIMS = (None,) * len(DIM_COLUMNS)


def cell_row(cell: Cell) -> tuple[Any, ...]:
    """A cell as stored: indicator, dimension set, one column per dimension, value."""
    row = [cell.indicator, cell.dim_set, *_EMPTY_DIMS, cell.centi]
    for name, code in cell.dims:
        row[_DIM_POSITION[name]] = code
    return tuple(row)


def cell_rows(cells: Sequence[Cell]) -> list[tuple[Any, ...]]:
    """:func:`cell_row` of every cell; where each code goes is worked out once per shape."""
    placings: dict[tuple[str, ...], Callable[[tuple[Any, ...]], tuple[Any, ...]]] = {}
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    for cell in cells:
        names = cell.dim_names
        place = placings.get(names)
        if place is None:
            # Position 0 of (None, *codes) is the None of every dimension the shape lacks.
            where = [names.index(column) + 1 if column in names else 0 for column in DIM_COLUMNS]
            place = placings[names] = itemgetter(*where)
        append((cell.indicator, cell.dim_set, *place((None, *cell.codes)), cell.centi))
    return rows


def outlier_indicators(breakdowns: Mapping[str, list[str]]) -> list[str]:
    """The indicators whose history the outlier check reads: those sent as a total or by a
    single dimension (finer cells are never compared with earlier periods)."""
    return [
        indicator
        for indicator, sets in breakdowns.items()
        if any("," not in dim_set for dim_set in sets)
    ]


def _issues(items: Sequence[ErrorItem]) -> list[Issue]:
    return [Issue(path=i.path, message=i.message) for i in items]


def continuity_warnings(
    current: IndicatorReport | None, new: Mapping[str, list[str]]
) -> list[ErrorItem]:
    """What a new revision no longer sends that the current one had: warnings, not errors
    (a CAE may stop sending an indicator, but should be told when it does)."""
    if current is None or not current.breakdowns:
        return []
    return lost_breakdown_warnings(current.breakdowns, dict(new))


def parse_connector(header: str | None) -> tuple[str | None, str | None]:
    """``endi/1.2.0`` → (``endi``, ``1.2.0``)."""
    if not header:
        return None, None
    name, _, version = header.strip().rpartition("/")
    if not name:
        return version[:100] or None, None
    return name[:100], version[:50] or None


@dataclass(frozen=True, slots=True)
class PreparedReport:
    """A report checked whole, ready to store: what ``prepare`` computed without the database."""

    period: Period
    schema_version: str
    cells: list[Cell]
    rows: list[tuple[Any, ...]]
    """The cells as stored (:func:`cell_rows`), built before the write lock is taken."""
    content_hash: str
    cells_received: int
    breakdowns: dict[str, list[str]]
    acceptance: Acceptance


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector held off while a report is decoded and checked.

    A 10,000-cell report is some 60,000 new dicts, tuples and cells, none of them in a cycle
    (reference counting frees them); the collector would traverse them again and again as
    they pile up, a sixth of the time of the checks. Held off for this stretch only: the
    section that found it running turns it back on, whatever other sections overlap.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def decode_report(body: bytes) -> Any:
    """The JSON document of a report body: UTF-8 only, no text a database cannot store."""
    return decode_document(body, what="Le rapport")


def _accepted(
    session: Session, member: Member, summary: ImportSummary, actor: Actor
) -> ImportSummary:
    """``summary`` with the signed receipt of the audit event recording it."""
    event = record(
        session,
        kind="report.accepted",
        actor=actor,
        member_id=member.id,
        details={
            "period": summary.period,
            "revision": summary.revision,
            "content_hash": summary.content_hash,
            "cells": summary.cells_accepted,
            "unchanged": summary.unchanged,
            "replayed": summary.replayed,
        },
    )
    return summary.model_copy(update={"receipt": audit_service.receipt(event)})


class ReportService:
    def prepare(
        self,
        period_text: str,
        document: Any,
        *,
        schema_version: str | None = None,
        deprecation_days: int = 0,
    ) -> PreparedReport:
        """Check a report whole — period, schema, consistency — and hash it; no database.

        The document is validated against the version it names (``schema_version``; None:
        the current one); a document of the previous major, still accepted, is then brought
        to the current form. Any error rejects the report entirely (422 naming every failing
        cell).
        """
        period = parse_period(period_text)
        catalogue = get_catalogue()
        received = len(document.get("cells", [])) if isinstance(document, dict) else 0
        received = received if isinstance(received, int) else 0
        document, acceptance, errors = validated(
            REPORT_SCHEMA,
            document,
            version=schema_version,
            deprecation_days=deprecation_days,
            refused=f"Rapport {period} refusé",
        )
        if not errors and document["period"] != str(period):
            errors.append(
                ErrorItem(
                    "$.period", f"le rapport porte sur {document['period']}, l'adresse sur {period}"
                )
            )
        cells: list[Cell] = []
        breakdowns: dict[str, list[str]] = {}
        if not errors:
            cells = cells_of(document)
            grouped = Breakdowns(cells)
            errors = check_consistency(cells, load_rules(), breakdowns=grouped)
            breakdowns = grouped.dim_sets()
        if errors:
            raise ValidationFailed(
                f"Rapport {period} refusé : {len(errors)} erreur(s), rien n'a été enregistré.",
                errors=errors,
                extra={"cells_received": received, "cells_accepted": 0, "warnings": []},
            )
        return PreparedReport(
            period,
            catalogue.schema_version,
            cells,
            cell_rows(cells),
            content_hash(cells),
            received,
            breakdowns,
            acceptance,
        )

    def submit(
        self,
        session: Session,
        member: Member,
        period_text: str,
        document: Any,
        *,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        connector: str | None = None,
        actor: Actor = SYSTEM,
    ) -> ImportSummary:
        """Check a report whole; store it as a new revision unless it is unchanged or a dry run."""
        prepared = self.prepare(period_text, document)
        return self.store(
            session,
            member,
            prepared,
            dry_run=dry_run,
            idempotency_key=idempotency_key,
            connector=connector,
            actor=actor,
        )

    def store(
        self,
        session: Session,
        member: Member,
        prepared: PreparedReport,
        *,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        connector: str | None = None,
        actor: Actor = SYSTEM,
    ) -> ImportSummary:
        """Store a prepared report as a new revision, unless unchanged, replayed or a dry run.

        Every report accepted for real (new, unchanged or replayed) is an audit event whose
        signed receipt the summary carries.

        Requests for one member and period are serialised (see ``ReportRepository.lock``), so
        that a retry arriving while its first attempt is being stored waits for it and replays
        its answer instead of failing.
        """
        assert member.id is not None
        period, cells, digest = str(prepared.period), prepared.cells, prepared.content_hash
        rules = load_rules()
        reports = ReportRepository(session)
        now = utcnow()
        summary = ImportSummary(
            period=period,
            revision=0,
            unchanged=False,
            dry_run=dry_run,
            schema_version=prepared.schema_version,
            schema_received=prepared.acceptance.received,
            deprecation=prepared.acceptance.warning(),
            content_hash=digest,
            cells_received=prepared.cells_received,
            cells_accepted=len(cells),
            received_at=now,
        )
        if not dry_run:
            try:
                reports.lock(member.id, period)
            except OperationalError as exc:
                if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                    raise
                raise InProgress(
                    f"Un envoi du rapport {period} de cette CAE est encore en cours "
                    "d'enregistrement ; réessayez dans un instant.",
                    headers={"Retry-After": "5"},
                ) from None
        if idempotency_key and not dry_run:
            earlier = reports.by_idempotency_key(member.id, idempotency_key)
            if earlier is not None:
                if earlier.content_hash != digest or earlier.period != period:
                    raise Conflict(
                        "Cette clé d'idempotence a déjà servi pour un autre contenu.",
                        errors=[ErrorItem("header.idempotency-key", "clé déjà utilisée")],
                    )
                replayed = summary.model_copy(
                    update={
                        "revision": earlier.revision,
                        "replayed": True,
                        "received_at": earlier.received_at,
                    }
                )
                return _accepted(session, member, replayed, actor)
        current = reports.current(member.id, period)
        name, version = parse_connector(connector)
        if current is not None and current.content_hash == digest:
            if not dry_run:
                current.connector, current.connector_version = name, version
                reports.touch(current, now)
            unchanged = summary.model_copy(update={"revision": current.revision, "unchanged": True})
            return unchanged if dry_run else _accepted(session, member, unchanged, actor)

        history = reports.history(
            member.id,
            period,
            limit=rules.max_previous_periods,
            indicators=outlier_indicators(prepared.breakdowns),
        )
        warnings = outlier_warnings(cells, history, rules)
        warnings += continuity_warnings(current, prepared.breakdowns)
        number = reports.last_revision_number(member.id, period) + 1
        summary = summary.model_copy(update={"revision": number, "warnings": _issues(warnings)})
        if dry_run:
            return summary
        reports.add_revision(
            IndicatorReport(
                member_id=member.id,
                period=period,
                revision=number,
                schema_version=prepared.schema_version,
                content_hash=digest,
                cell_count=len(cells),
                connector=name,
                connector_version=version,
                idempotency_key=idempotency_key,
                breakdowns=prepared.breakdowns,
                received_at=now,
                last_received_at=now,
            ),
            prepared.rows,
        )
        return _accepted(session, member, summary, actor)

    # -- reading ------------------------------------------------------------------------------

    @staticmethod
    def reported_semesters(session: Session, *, member_id: int | None = None) -> list[str]:
        """The semesters with a current revision (of ``member_id`` only, when given)."""
        return ReportRepository(session).reported_semesters(member_id=member_id)

    @staticmethod
    def fingerprint(session: Session, period: str) -> tuple[Any, ...]:
        """What changes whenever a current revision of ``period`` does (a cache key)."""
        return ReportRepository(session).fingerprint(period)

    @staticmethod
    def current_of_periods(
        session: Session, member_id: int, periods: Sequence[str]
    ) -> dict[str, IndicatorReport]:
        """The member's current revision of each of ``periods`` it has reported."""
        return ReportRepository(session).current_of_periods(member_id, periods)

    def visible_member(
        self, session: Session, *, caller: Member | None, siren: str | None, staff: bool
    ) -> Member:
        """Whose reports the caller asks for, if it may read them (else 404, never 403)."""
        if caller is not None:
            if siren not in (None, caller.siren):
                raise NotFound("Aucun rapport à cette adresse.")
            return caller
        if not staff:
            raise NotFound("Aucun rapport à cette adresse.")
        if siren is None:
            raise ValidationFailed(
                "Précisez la CAE dont vous voulez lire le rapport.",
                errors=[ErrorItem("query.member", "SIREN de la CAE attendu")],
            )
        member = MemberRepository(session).get_by_siren(siren)
        if member is None or not member.consents_raw_access:
            raise NotFound("Aucun rapport à cette adresse.")
        return member

    def held(self, session: Session, member: Member) -> HeldReports:
        """What the hub holds for the member: each period's revision in force, no cells."""
        assert member.id is not None
        rows = ReportRepository(session).held(member.id)
        return HeldReports(
            member_siren=member.siren,
            reports=[HeldReport.model_validate(row, from_attributes=True) for row in rows],
        )

    def revisions(self, session: Session, member: Member, period_text: str) -> list[RevisionInfo]:
        period = parse_period(period_text)
        assert member.id is not None
        found = ReportRepository(session).revisions(member.id, str(period))
        if not found:
            raise NotFound(f"Aucun rapport pour {period}.")
        return [RevisionInfo.model_validate(r, from_attributes=True) for r in found]

    def read(
        self, session: Session, member: Member, period_text: str, *, revision: int | None = None
    ) -> ReportDocument:
        period = parse_period(period_text)
        assert member.id is not None
        reports = ReportRepository(session)
        report = (
            reports.current(member.id, str(period))
            if revision is None
            else reports.revision(member.id, str(period), revision)
        )
        if report is None or report.id is None:
            raise NotFound(
                f"Aucun rapport pour {period}" + (f" en révision {revision}." if revision else ".")
            )
        kinds = {i.code: i.kind for i in get_catalogue().indicators.values()}
        cells = []
        for cell in reports.cells(report.id):
            dims = {n: str(getattr(cell, n)) for n in cell.dim_set.split(",") if n}
            value: int | float = (
                cell.value_centi // 100
                if kinds.get(cell.indicator) == "persons"
                else cell.value_centi / 100
            )
            cells.append(ReportCell(indicator=cell.indicator, dims=dims, value=value))
        info = RevisionInfo.model_validate(report, from_attributes=True)
        return ReportDocument(**info.model_dump(), member_siren=member.siren, cells=cells)


class CatalogueService:
    def describe(self) -> CataloguePublic:
        catalogue = get_catalogue()
        return CataloguePublic(
            schema_name=REPORT_SCHEMA,
            schema_version=catalogue.schema_version,
            indicators=[
                CatalogueEntry(
                    code=i.code,
                    label=i.label,
                    definition=i.definition,
                    kind=i.kind,
                    unit=i.unit,
                    derived=i.derived,
                    disclosure=DISCLOSURE[i.kind],
                    dims=[
                        DimensionInfo(
                            code=d, label=dimension_title(d), code_list=DIMENSION_LISTS[d]
                        )
                        for d in i.dims
                    ],
                )
                for i in catalogue.indicators.values()
            ],
        )


report_service = ReportService()
catalogue_service = CatalogueService()
