"""Seminar packs: one document per group and one for the plenary, HTML and PDF from the
same template, built from published figures only.

The pack gives the latest publication of the last published semester that ended before the
seminar, with its trend over the semesters published before it. Its sections come from the
domains (:mod:`hub.seminars.sections`). Each build is a new version; its hashes go into the
audit trail.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from cae_contract.periods import Period
from hub.audit.service import SYSTEM, Actor, describe_kind, record
from hub.config import Settings
from hub.errors import NotFound
from hub.mail.service import mail_service
from hub.members.models import StaffAccount
from hub.seminars.models import AUDIENCE_NAMES, Seminar, SeminarPack
from hub.seminars.pack_sections import environment
from hub.seminars.repository import SeminarRepository
from hub.seminars.sections import PackContext, Section, providers_for
from hub.seminars.service import group_service, parse_group, seminar_service
from hub.stats.service import stats_service

TREND_SEMESTERS = 4
STYLESHEET = Path(__file__).resolve().parent / "templates" / "pack.css"
STYLESHEET_PATH = "/seminaires/pack.css"  # where the dashboard serves it
PDF_BASE_URL = "https://pack.cae-hub.invalid/"
PDF_VARIANT = "pdf/a-3b"
BUILT = "seminar_pack.built"
describe_kind(BUILT, "pack de séminaire produit")
PDF_MISSING = (
    "la production des PDF demande WeasyPrint : installez cae-hub[pdf] (et Pango, "
    "paquets Debian libpango-1.0-0 et libpangoft2-1.0-0)"
)


class PdfUnavailable(RuntimeError):
    """WeasyPrint (or the Pango it runs on) is missing; the message says what to install."""


@dataclass(frozen=True)
class Rendered:
    html: str
    pdf: bytes
    period: str
    publication: int


def pack_css() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


STYLESHEET_URL = PDF_BASE_URL + STYLESHEET_PATH.lstrip("/")


def _stylesheet_only(url: str) -> bytes:
    """The pack's stylesheet, the one resource a pack links to; nothing else is fetched
    while a pack is drawn (no network, no file)."""
    if url != STYLESHEET_URL:
        raise ValueError(f"ressource refusée dans un pack : {url[:80]}")
    return pack_css().encode()


def _fetcher() -> Any:
    """WeasyPrint 70 takes a fetcher object, earlier versions a function answering a dict."""
    try:
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except ImportError:  # WeasyPrint before 70

        def fetch(url: str) -> dict[str, Any]:
            return {"string": _stylesheet_only(url), "mime_type": "text/css", "encoding": "utf-8"}

        return fetch

    class PackFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            body = _stylesheet_only(url)
            return URLFetcherResponse(url, body, {"Content-Type": "text/css; charset=utf-8"})

    return PackFetcher()


def write_pdf(html: str) -> bytes:
    """The PDF of ``html``, in PDF/A-3b, drawn with the pack's stylesheet."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(PDF_MISSING) from exc
    document: Any = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=_fetcher())
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    assert isinstance(pdf, bytes)
    return pdf


def _semester_before(seminar: Seminar, published: Sequence[str]) -> str:
    ended = [
        p for p in published if Period.parse(p).is_semester and Period.parse(p).end < seminar.day
    ]
    if not ended:
        raise NotFound(
            "Aucun semestre publié avant ce séminaire : publiez les statistiques du semestre "
            "pour produire le pack (un pack ne donne que des chiffres publiés)."
        )
    return max(ended, key=Period.parse)


class PackService:
    def context(
        self, session: Session, settings: Settings, seminar: Seminar, audience: str
    ) -> PackContext:
        period = _semester_before(seminar, stats_service.published_semesters(session))
        publication = stats_service.latest_publication(session, period)
        assert publication is not None
        earlier = sorted(
            (p for p in stats_service.published_semesters(session) if Period.parse(p).is_semester),
            key=Period.parse,
        )
        periods = [p for p in earlier if Period.parse(p) <= Period.parse(period)]
        return PackContext(
            session=session,
            settings=settings,
            seminar=seminar,
            audience=audience,
            period=period,
            publication=publication.number,
            published_at=publication.published_at,
            periods=periods[-TREND_SEMESTERS:],
        )

    def html(self, context: PackContext) -> str:
        sections: list[Section] = []
        for provider in providers_for(context.audience):
            built = provider.build(context)
            if built is not None:
                sections.append(built)
        return (
            environment()
            .get_template("pack.html")
            .render(
                context=context,
                audience=AUDIENCE_NAMES[context.audience],
                sections=sections,
            )
        )

    def render(
        self, session: Session, settings: Settings, seminar: Seminar, audience: str
    ) -> Rendered:
        context = self.context(session, settings, seminar, audience)
        html = self.html(context)
        return Rendered(html, write_pdf(html), context.period, context.publication)

    def build(
        self,
        session: Session,
        settings: Settings,
        *,
        seminar_id: int,
        audience: str,
        staff: StaffAccount | None = None,
        notify: bool = True,
    ) -> SeminarPack:
        """A new version of the pack; its hashes audited, its recipients told by e-mail."""
        audience = parse_group(audience, plenary=True)
        seminar = seminar_service.get(session, seminar_id)
        rendered = self.render(session, settings, seminar, audience)
        repository = SeminarRepository(session)
        pack = repository.add(
            SeminarPack(
                seminar_id=seminar_id,
                audience=audience,
                version=repository.last_version(seminar_id, audience) + 1,
                period=rendered.period,
                publication_number=rendered.publication,
                html=rendered.html,
                pdf=rendered.pdf,
                html_sha256=hashlib.sha256(rendered.html.encode()).hexdigest(),
                pdf_sha256=hashlib.sha256(rendered.pdf).hexdigest(),
                built_by_staff_id=staff.id if staff else None,
            )
        )
        record(
            session,
            kind=BUILT,
            actor=Actor("staff", staff.id) if staff else SYSTEM,
            details={
                "seminar_id": seminar_id,
                "audience": audience,
                "version": pack.version,
                "period": pack.period,
                "publication": pack.publication_number,
                "html_sha256": pack.html_sha256,
                "pdf_sha256": pack.pdf_sha256,
            },
        )
        if notify:
            self._notify(session, settings, seminar, pack)
        return pack

    @staticmethod
    def _notify(session: Session, settings: Settings, seminar: Seminar, pack: SeminarPack) -> None:
        link = f"{settings.public_url.rstrip('/')}/seminaires/{seminar.id}/packs/{pack.audience}"
        for recipient in group_service.recipients(session, pack.audience):
            mail_service.queue(
                session,
                recipient=recipient,
                subject=f"Pack du séminaire du {seminar.day:%d/%m/%Y} : "
                f"{AUDIENCE_NAMES[pack.audience]}",
                template="seminar_pack",
                context={
                    "seminar": seminar,
                    "pack": pack,
                    "link": link,
                    "audience": AUDIENCE_NAMES[pack.audience],
                },
            )

    def packs(self, session: Session, seminar_id: int | None = None) -> Sequence[SeminarPack]:
        return SeminarRepository(session).packs(seminar_id)

    def pack(
        self, session: Session, seminar_id: int, audience: str, version: int | None = None
    ) -> SeminarPack:
        found = SeminarRepository(session).pack(
            seminar_id, parse_group(audience, plenary=True), version
        )
        if found is None:
            raise NotFound("Aucun pack de ce séminaire pour ce groupe : produisez-le d'abord.")
        return found


pack_service = PackService()
