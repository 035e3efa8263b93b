"""Publishing a period: the whole pattern computed once, shown to staff before they confirm,
stored with the publication; the same pattern for a member's preview."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, astuple
from typing import Any

from sqlmodel import Session

from cae_contract.periods import Period
from cae_contract.problems import ErrorItem
from hub.audit.service import Actor, audit_service, record
from hub.config import Settings
from hub.db import utcnow
from hub.errors import ValidationFailed
from hub.indicators.models import IndicatorReport
from hub.members.models import StaffAccount
from hub.stats.disclosure import Rules
from hub.stats.models import Publication, PublicationPattern
from hub.stats.patterns import IndicatorOutcome, Prepared, prepare
from hub.stats.provisional import check_publishable, is_running, provisional_label, refusal_detail
from hub.stats.repository import StatsRepository
from hub.stats.schemas import IndicatorProtection, PublicationPreview, PublicationSummary

__all__ = ["clear_prospective", "prospective_patterns", "publication_preview", "publish"]

_CACHE_SIZE = 16
_prospective: dict[tuple[Any, ...], Prepared] = {}


def clear_prospective() -> None:
    _prospective.clear()


def _rules(settings: Settings) -> Rules:
    return Rules(
        min_contributors=settings.disclosure_min_contributors,
        dominance_share=settings.disclosure_dominance_share,
        small_count_max=settings.disclosure_small_count_max,
        protection=settings.disclosure_protection,
    )


def _current(repository: StatsRepository, period: str) -> dict[int, IndicatorReport]:
    current = repository.current_reports(period)
    if not current:
        raise ValidationFailed(
            f"Aucun rapport reçu pour {period} : rien à publier.",
            errors=[ErrorItem("path.period", "aucun rapport pour cette période")],
        )
    return current


def _prepared(
    session: Session,
    period: str,
    current: Mapping[int, IndicatorReport],
    settings: Settings,
    *,
    keep_earlier: bool,
    compare_alone: bool,
) -> tuple[Prepared, list[Publication]]:
    """The patterns a publication of ``current`` would store, kept per set of revisions."""
    repository = StatsRepository(session)
    earlier = repository.period_publications(period)
    rules = _rules(settings)
    key = (
        period,
        # Ids alone are not enough: a rolled-back revision's id can be handed out again.
        tuple(
            sorted((r.id or 0, r.content_hash, r.received_at.isoformat()) for r in current.values())
        ),
        tuple((p.id, p.number, p.published_at.isoformat()) for p in earlier),
        astuple(rules),
        settings.disclosure_group_rare,
        keep_earlier,
    )
    cached = _prospective.get(key)
    if cached is None or (compare_alone and earlier and cached.outcomes[0].hidden_alone is None):
        cached = prepare(
            session,
            current,
            earlier,
            rules,
            group_rare=settings.disclosure_group_rare,
            keep_earlier=keep_earlier,
            compare_alone=compare_alone,
        )
        if len(_prospective) >= _CACHE_SIZE:
            _prospective.clear()
        _prospective[key] = cached
    return cached, earlier


def _protection(outcomes: list[IndicatorOutcome]) -> list[IndicatorProtection]:
    return [
        IndicatorProtection(
            indicator=o.indicator,
            cells=o.cells,
            hidden=o.hidden,
            hidden_alone=o.hidden_alone,
            republication=o.republication,
            kept=o.kept,
        )
        for o in outcomes
    ]


def _revised(
    repository: StatsRepository,
    current: Mapping[int, IndicatorReport],
    previous: Publication | None,
) -> list[str]:
    if previous is None or previous.id is None:
        return []
    before = repository.published_reports(previous.id)
    members = {m.id: m.siren for m in repository.active_members()}
    return sorted(
        members.get(member_id, str(member_id))
        for member_id, report in current.items()
        if member_id not in before or before[member_id].id != report.id
    )


def publication_preview(
    session: Session, *, period: str, settings: Settings, keep_earlier: bool = True
) -> PublicationPreview:
    """What publishing ``period`` now would hide, and how much of it earlier publications
    of the period cost (cells a lone publication would show); whether the period has not
    ended (publishing then needs a confirmed provisional publication)."""
    parsed = Period.parse(period)
    running = is_running(parsed)
    repository = StatsRepository(session)
    current = _current(repository, period)
    prepared, earlier = _prepared(
        session, period, current, settings, keep_earlier=keep_earlier, compare_alone=True
    )
    protection = _protection(prepared.outcomes)
    added = sum(max(0, p.hidden - p.hidden_alone) for p in protection if p.hidden_alone is not None)
    return PublicationPreview(
        period=period,
        number=(earlier[-1].number + 1) if earlier else 1,
        reports=len(current),
        period_end=parsed.end,
        running=running,
        notice=refusal_detail(parsed) if running else None,
        earlier=[p.number for p in earlier],
        revised_since_previous=_revised(repository, current, earlier[-1] if earlier else None),
        added_to_secret=added,
        protection=protection,
    )


def publish(
    session: Session,
    *,
    period: str,
    staff: StaffAccount,
    settings: Settings,
    keep_earlier: bool = True,
    provisional: bool = False,
) -> PublicationSummary:
    """Freeze the current revisions of ``period`` and store the pattern of every table.

    A period that has not ended is refused unless ``provisional`` confirms a provisional
    publication (:mod:`hub.stats.provisional`)."""
    marked = check_publishable(Period.parse(period), provisional=provisional)
    repository = StatsRepository(session)
    current = _current(repository, period)
    prepared, earlier = _prepared(
        session, period, current, settings, keep_earlier=keep_earlier, compare_alone=False
    )
    previous = earlier[-1] if earlier else None
    assert staff.id is not None
    publication = repository.add_publication(
        Publication(
            period=period,
            number=(previous.number + 1) if previous else 1,
            published_at=utcnow(),
            published_by=staff.id,
            rules=asdict(_rules(settings)),
            report_count=len(current),
            provisional=marked,
        ),
        [r.id for r in current.values() if r.id is not None],
    )
    assert publication.id is not None
    repository.add_patterns(
        [
            PublicationPattern(
                publication_id=publication.id,
                indicator=p.indicator,
                codes=p.codes,
                recode=p.recode,
                cells=p.cells,
            )
            for p in prepared.patterns
        ]
    )
    # What was frozen, as one digest of the content hashes of the revisions published.
    frozen = "\n".join(sorted(r.content_hash for r in current.values()))
    event = record(
        session,
        kind="publication.published",
        actor=Actor("staff", staff.id),
        details={
            "period": period,
            "number": publication.number,
            "publication_id": publication.id,
            "reports": len(current),
            "reports_hash": hashlib.sha256(frozen.encode()).hexdigest(),
            "provisional": marked,
        },
    )
    return PublicationSummary(
        period=period,
        number=publication.number,
        published_at=publication.published_at,
        reports=len(current),
        provisional=marked,
        provisional_label=provisional_label(period, publication.published_at) if marked else None,
        revised_since_previous=_revised(repository, current, previous),
        protection=_protection(prepared.outcomes),
        receipt=audit_service.receipt(event),
    )


def prospective_patterns(
    session: Session, *, period: str, settings: Settings
) -> dict[str, PublicationPattern]:
    """The patterns the next publication of ``period`` would store (for previews): those
    of the latest publication when no revision arrived since."""
    repository = StatsRepository(session)
    current = repository.current_reports(period)
    latest = repository.latest_publication(period)
    if latest is not None and latest.id is not None:
        published = repository.published_reports(latest.id)
        if {r.id for r in published.values()} == {r.id for r in current.values()}:
            stored = repository.patterns(latest.id)
            if stored:
                return stored
    prepared, _ = _prepared(
        session, period, current, settings, keep_earlier=True, compare_alone=False
    )
    return {p.indicator: p for p in prepared.patterns}
