"""Seat pooling: a CAE asks seats on a session another CAE offers to the network; the offering
CAE accepts (all or part of them), declines or waitlists.

Counts only: a request carries a number of seats and the requesting CAE's own reference, never
a trainee's name. Accepted seats never exceed the seats offered, even when acceptances race:
they are counted on the session by one conditional UPDATE (see
``SeatRequestRepository.take_seats``), and the request's row is locked while it is decided.
Every step is recorded in the audit trail (its signed receipt is in the answer) and e-mailed,
in French, to the other side. A session withdrawn from its catalogue closes the requests on it.

Kept apart from :mod:`hub.trainings.service`, which is about receiving catalogues.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from cae_contract.format import fr_date
from cae_contract.funding import FundingRulesError, estimate, load_rules
from cae_contract.periods import PARIS
from cae_contract.problems import ErrorItem
from hub.audit.service import SYSTEM, Actor, audit_service, describe_kind, record
from hub.config import Settings
from hub.db import utcnow
from hub.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from hub.mail.service import mail_service
from hub.members.models import Member
from hub.trainings.models import OPEN_STATUSES, SeatRequest, SeatRequestStatus, TrainingSession
from hub.trainings.repository import RequestRow, SeatRequestRepository, SessionRepository
from hub.trainings.schemas import (
    Decision,
    Party,
    SeatDecision,
    SeatRequestCreate,
    SeatRequestInfo,
    SeatRequestList,
)
from hub.trainings.service import OfferService

CREATED = "seat_request.created"
ACCEPTED = "seat_request.accepted"
DECLINED = "seat_request.declined"
WAITLISTED = "seat_request.waitlisted"
WITHDRAWN = "seat_request.session_withdrawn"
describe_kind(CREATED, "places de formation demandées")
describe_kind(ACCEPTED, "demande de places acceptée")
describe_kind(DECLINED, "demande de places refusée")
describe_kind(WAITLISTED, "demande de places en liste d'attente")
describe_kind(WITHDRAWN, "demande de places close : session retirée")

STATUS_LABELS = {
    SeatRequestStatus.PENDING: "en attente de réponse",
    SeatRequestStatus.ACCEPTED: "acceptée",
    SeatRequestStatus.DECLINED: "refusée",
    SeatRequestStatus.WAITLISTED: "en liste d'attente",
    SeatRequestStatus.WITHDRAWN: "close : session retirée",
}
_DECISIONS = {
    Decision.ACCEPT: (SeatRequestStatus.ACCEPTED, ACCEPTED),
    Decision.DECLINE: (SeatRequestStatus.DECLINED, DECLINED),
    Decision.WAITLIST: (SeatRequestStatus.WAITLISTED, WAITLISTED),
}
UNKNOWN_DAYS = {"00000000", "99999999"}


def lheo_day(text: str | None) -> date | None:
    """A LHÉO day (AAAAMMJJ), None when unknown."""
    if text is None or text in UNKNOWN_DAYS:
        return None
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


def fr_lheo_day(text: str | None) -> str:
    day = lheo_day(text)
    return fr_date(day) if day is not None else "date à préciser"


def today_in_paris() -> date:
    return utcnow().astimezone(PARIS).date()


def _hash(body: SeatRequestCreate, session_id: int) -> str:
    content = {"session": session_id, **body.model_dump()}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _details(request: SeatRequest, **extra: Any) -> dict[str, Any]:
    return {
        "request_id": request.id,
        "session_id": request.session_id,
        "requester_id": request.requester_id,
        "offerer_id": request.offerer_id,
        "seats_requested": request.seats_requested,
        "seats_accepted": request.seats_accepted,
        "status": request.status,
        **extra,
    }


@dataclass(frozen=True)
class ReminderOutcome:
    """What one run of the seat reminders did."""

    deadline: int
    start: int

    def line(self) -> str:
        if not self.deadline and not self.start:
            return "aucun rappel de mutualisation dû aujourd'hui"
        return (
            f"{self.deadline} rappel(s) de date limite d'inscription, "
            f"{self.start} rappel(s) de début de session en file"
        )


class PoolingService:
    # -- asking -------------------------------------------------------------------------------

    def request_seats(
        self,
        session: Session,
        requester: Member,
        session_id: int,
        body: SeatRequestCreate,
        *,
        settings: Settings,
        idempotency_key: str | None = None,
        actor: Actor = SYSTEM,
    ) -> SeatRequestInfo:
        """Ask seats on a session another CAE offers. Replaying an Idempotency-Key with the
        same content answers the request already made (audited again, with a new receipt)."""
        assert requester.id is not None
        requests = SeatRequestRepository(session)
        found = SessionRepository(session).with_member(session_id)
        if found is None or not self._visible(found[0], found[1], requester):
            raise NotFound("Session inconnue, ou non offerte au réseau.")
        row, offerer = found
        assert row.id is not None and offerer.id is not None
        digest = _hash(body, row.id)
        if idempotency_key:
            requests.lock_requester(requester.id)
            earlier = requests.by_key(requester.id, idempotency_key)
            if earlier is not None:
                if earlier.content_hash != digest:
                    raise Conflict(
                        "Cette clé d'idempotence a déjà servi pour une autre demande.",
                        errors=[ErrorItem("header.idempotency-key", "clé déjà utilisée")],
                    )
                event = record(
                    session,
                    kind=CREATED,
                    actor=actor,
                    member_id=requester.id,
                    details=_details(earlier, replayed=True),
                )
                info = self._info(session, earlier.id or 0, requester, settings)
                return info.model_copy(
                    update={"rejouee": True, "receipt": audit_service.receipt(event)}
                )
        self._check_open(row, offerer, requester, body.places)
        request = requests.save(
            SeatRequest(
                session_id=row.id,
                requester_id=requester.id,
                offerer_id=offerer.id,
                reference=body.reference,
                seats_requested=body.places,
                headcount=body.effectif,
                idempotency_key=idempotency_key,
                content_hash=digest,
            )
        )
        event = record(
            session,
            kind=CREATED,
            actor=actor,
            member_id=requester.id,
            details=_details(request, replayed=False),
        )
        self._mail(
            session,
            settings,
            to=offerer,
            subject=f"Demande de {body.places} place(s) — {row.title}",
            headline=(
                f"{requester.name} demande {body.places} place(s) sur votre session "
                f"« {row.title} » ({fr_lheo_day(row.start_day)})."
            ),
            lines=[
                f"Places offertes au réseau : {row.seats_offered}, "
                f"déjà accordées : {row.seats_accepted}.",
                f"Référence de la demande chez {requester.name} : {body.reference}.",
                "Répondez-lui (accepter, refuser ou mettre en liste d'attente) depuis le "
                "tableau de bord ou l'API du hub.",
            ],
            path="/formations/demandes-recues",
        )
        assert request.id is not None
        info = self._info(session, request.id, requester, settings)
        return info.model_copy(update={"receipt": audit_service.receipt(event)})

    @staticmethod
    def _visible(row: TrainingSession, offerer: Member, requester: Member) -> bool:
        return offerer.active and (row.member_id == requester.id or row.seats_offered > 0)

    @staticmethod
    def _check_open(row: TrainingSession, offerer: Member, requester: Member, places: int) -> None:
        if row.member_id == requester.id:
            raise Conflict(
                "Cette session est celle de votre CAE : les places se demandent aux autres CAE.",
                errors=[ErrorItem("path.session_id", "session de votre propre CAE")],
            )
        if row.withdrawn_at is not None:
            raise Conflict(
                "Cette session a été retirée du catalogue de la CAE qui l'offrait.",
                errors=[ErrorItem("path.session_id", "session retirée")],
            )
        deadline = lheo_day(row.registration_deadline)
        if deadline is not None and deadline < today_in_paris():
            raise Conflict(
                f"La date limite d'inscription ({fr_date(deadline)}) est passée.",
                errors=[ErrorItem("path.session_id", "inscriptions closes")],
            )
        if places > row.seats_offered:
            raise ValidationFailed(
                f"{offerer.name} n'offre que {row.seats_offered} place(s) sur cette session.",
                errors=[ErrorItem("$.places", f"au plus {row.seats_offered}")],
            )

    # -- answering ----------------------------------------------------------------------------

    def decide(
        self,
        session: Session,
        offerer: Member,
        request_id: int,
        body: SeatDecision,
        *,
        settings: Settings,
        actor: Actor = SYSTEM,
    ) -> SeatRequestInfo:
        """The offering CAE's answer to an unanswered (or waitlisted) request. Accepting takes
        the seats on the session only if that many are left (409 naming ``$.places``)."""
        requests = SeatRequestRepository(session)
        request = requests.for_update(request_id)
        if request is None or offerer.id not in (request.offerer_id, request.requester_id):
            raise NotFound("Demande de places inconnue.")
        if request.offerer_id != offerer.id:
            raise Forbidden("Seule la CAE qui offre la session répond à cette demande.")
        status, kind = _DECISIONS[body.decision]
        if body.places is not None and body.decision != Decision.ACCEPT:
            raise ValidationFailed(
                "Le nombre de places ne se donne qu'avec une acceptation.",
                errors=[ErrorItem("$.places", "seulement avec « acceptee »")],
            )
        current = SeatRequestStatus(request.status)
        if current not in OPEN_STATUSES or current == status:
            raise Conflict(
                f"Cette demande est déjà {STATUS_LABELS[current]}.",
                errors=[ErrorItem("$.decision", f"demande {current.value}")],
            )
        found = SessionRepository(session).with_member(request.session_id)
        assert found is not None
        row = found[0]
        seats = 0
        if status == SeatRequestStatus.ACCEPTED:
            seats = body.places if body.places is not None else request.seats_requested
            if seats > request.seats_requested:
                raise ValidationFailed(
                    f"La demande porte sur {request.seats_requested} place(s) seulement.",
                    errors=[ErrorItem("$.places", f"au plus {request.seats_requested}")],
                )
            if not requests.take_seats(request.session_id, seats):
                session.refresh(row)
                left = max(0, row.seats_offered - row.seats_accepted)
                reason = "session retirée" if row.withdrawn_at else f"il reste {left} place(s)"
                raise Conflict(
                    f"Impossible d'accorder {seats} place(s) : {reason}.",
                    errors=[ErrorItem("$.places", reason)],
                )
            session.refresh(row)
        now = utcnow()
        request.status = status
        request.seats_accepted = seats
        request.decided_at = request.updated_at = now
        requests.save(request)
        event = record(
            session, kind=kind, actor=actor, member_id=offerer.id, details=_details(request)
        )
        requester = session.get(Member, request.requester_id)
        assert requester is not None and request.id is not None
        self._mail_decision(session, settings, request, row, offerer, requester)
        info = self._info(session, request.id, offerer, settings)
        return info.model_copy(update={"receipt": audit_service.receipt(event)})

    def _mail_decision(
        self,
        session: Session,
        settings: Settings,
        request: SeatRequest,
        row: TrainingSession,
        offerer: Member,
        requester: Member,
    ) -> None:
        status = SeatRequestStatus(request.status)
        when = fr_lheo_day(row.start_day)
        if status == SeatRequestStatus.ACCEPTED:
            headline = (
                f"{offerer.name} vous accorde {request.seats_accepted} place(s) sur "
                f"{request.seats_requested} demandée(s) pour « {row.title} » ({when})."
            )
            lines = [
                "Préparez le dossier de prise en charge par l'OPCO sur le poste de la CAE : "
                f"cae-hub formations dossier-opco --demande {request.id} "
                "--stagiaires stagiaires.csv --sortie dossier/",
                "Les noms des stagiaires restent chez vous : ils ne passent jamais par le hub.",
            ]
        elif status == SeatRequestStatus.DECLINED:
            headline = f"{offerer.name} ne peut pas accueillir vos stagiaires à « {row.title} »."
            lines = ["Cherchez une autre session dans l'offre du réseau."]
        else:
            headline = (
                f"{offerer.name} met votre demande pour « {row.title} » ({when}) en liste "
                "d'attente : vous serez prévenus si des places se libèrent."
            )
            lines = []
        self._mail(
            session,
            settings,
            to=requester,
            subject=f"Votre demande de places : {STATUS_LABELS[status]} — {row.title}",
            headline=headline,
            lines=[f"Votre référence : {request.reference}.", *lines],
            path="/formations/demandes",
        )

    # -- withdrawn sessions -------------------------------------------------------------------

    def close_withdrawn(
        self,
        session: Session,
        session_ids: Sequence[int],
        *,
        settings: Settings | None,
        actor: Actor = SYSTEM,
    ) -> int:
        """Close the requests held on sessions just withdrawn, and tell the requesting CAEs."""
        if not session_ids:
            return 0
        requests = SeatRequestRepository(session)
        held = requests.holding(session_ids)
        now = utcnow()
        for request in held:
            request.status = SeatRequestStatus.WITHDRAWN
            request.updated_at = now
            requests.save(request)
            record(
                session,
                kind=WITHDRAWN,
                actor=actor,
                member_id=request.offerer_id,
                details=_details(request),
            )
            row = session.get(TrainingSession, request.session_id)
            requester = session.get(Member, request.requester_id)
            offerer = session.get(Member, request.offerer_id)
            assert row is not None and requester is not None and offerer is not None
            self._mail(
                session,
                settings,
                to=requester,
                subject=f"Session retirée — {row.title}",
                headline=(
                    f"{offerer.name} a retiré de son catalogue la session « {row.title} » "
                    f"({fr_lheo_day(row.start_day)}) sur laquelle vous aviez demandé "
                    f"{request.seats_requested} place(s)."
                ),
                lines=[
                    f"Votre référence : {request.reference}. La demande est close.",
                    "Cherchez une autre session dans l'offre du réseau, ou voyez avec "
                    f"{offerer.name} si une nouvelle date est prévue.",
                ],
                path="/formations/demandes",
            )
        return len(held)

    # -- reading ------------------------------------------------------------------------------

    def listing(
        self,
        session: Session,
        member: Member,
        *,
        settings: Settings,
        direction: str | None = None,
        status: str | None = None,
    ) -> SeatRequestList:
        """The requests the member made (``faites``), received (``recues``), or both."""
        assert member.id is not None
        rows = SeatRequestRepository(session).listing(
            requester_id=member.id if direction in (None, "faites") else None,
            offerer_id=member.id if direction in (None, "recues") else None,
            status=status,
        )
        items = [self._to_info(row, member, settings) for row in rows]
        return SeatRequestList(total=len(items), items=items)

    def read(
        self, session: Session, member: Member, request_id: int, *, settings: Settings
    ) -> SeatRequestInfo:
        return self._info(session, request_id, member, settings)

    def _info(
        self, session: Session, request_id: int, member: Member, settings: Settings
    ) -> SeatRequestInfo:
        row = SeatRequestRepository(session).row(request_id)
        if row is None or member.id not in (row[0].requester_id, row[0].offerer_id):
            raise NotFound("Demande de places inconnue.")
        return self._to_info(row, member, settings)

    def _to_info(self, row: RequestRow, member: Member, settings: Settings) -> SeatRequestInfo:
        request, training, requester, offerer = row
        assert request.id is not None
        return SeatRequestInfo(
            id=request.id,
            sens="faite" if request.requester_id == member.id else "recue",
            statut=request.status,
            reference=request.reference,
            places_demandees=request.seats_requested,
            places_accordees=request.seats_accepted,
            effectif=request.headcount,
            demandeur=Party(siren=requester.siren, nom=requester.name),
            offreur=Party(siren=offerer.siren, nom=offerer.name),
            session=OfferService.offer_of(training, offerer, member.id),
            creee_le=request.created_at,
            decidee_le=request.decided_at,
            estimation_opco=self.funding(request, training, settings),
        )

    @staticmethod
    def funding(
        request: SeatRequest, training: TrainingSession, settings: Settings
    ) -> dict[str, Any] | None:
        """The OPCO funding estimate of an accepted request whose CAE gave its headcount, on
        a session whose hours are known."""
        hours = training.action.get("duree_heures")
        if request.status != SeatRequestStatus.ACCEPTED or request.headcount is None or not hours:
            return None
        try:
            rules = load_rules(settings.opco_rules_file)
        except FundingRulesError as exc:
            raise ServiceUnavailable(f"Estimation OPCO impossible : {exc}.") from None
        price = training.session.get("mutualisation", {}).get("prix_membre")
        if price is None:
            price = training.action.get("prix_total_ttc")
        return estimate(
            rules,
            headcount=request.headcount,
            qualifying=bool(training.formation.get("certifiante")),
            hours=int(hours),
            trainees=request.seats_accepted,
            price_per_trainee=None if price is None else Decimal(repr(price)),
        ).as_dict()

    # -- reminders ----------------------------------------------------------------------------

    def remind(self, session: Session, settings: Settings, *, on: date) -> ReminderOutcome:
        """Remind the offering CAE of unanswered requests whose registration deadline is near,
        and the requesting CAE of accepted seats on a session about to start; once each."""
        requests = SeatRequestRepository(session)
        first = on.strftime("%Y%m%d")
        last = (on + timedelta(days=settings.seat_reminder_days)).strftime("%Y%m%d")
        now = utcnow()
        deadline = requests.deadline_due(first, last)
        for request, row, requester, offerer in deadline:
            self._mail(
                session,
                settings,
                to=offerer,
                subject=f"Demande de places sans réponse — {row.title}",
                headline=(
                    f"La demande de {request.seats_requested} place(s) de {requester.name} sur "
                    f"« {row.title} » attend votre réponse ; la date limite d'inscription est "
                    f"le {fr_lheo_day(row.registration_deadline)}."
                ),
                lines=[f"Statut : {STATUS_LABELS[SeatRequestStatus(request.status)]}."],
                path="/formations/demandes-recues",
            )
            request.deadline_reminded_at = now
            requests.save(request)
        start = requests.start_due(first, last)
        for request, row, requester, offerer in start:
            self._mail(
                session,
                settings,
                to=requester,
                subject=f"La session commence bientôt — {row.title}",
                headline=(
                    f"« {row.title} », où {offerer.name} vous a accordé "
                    f"{request.seats_accepted} place(s), commence le "
                    f"{fr_lheo_day(row.start_day)}."
                ),
                lines=[
                    f"Votre référence : {request.reference}.",
                    "Vérifiez que le dossier de prise en charge OPCO est déposé.",
                ],
                path="/formations/demandes",
            )
            request.start_reminded_at = now
            requests.save(request)
        return ReminderOutcome(len(deadline), len(start))

    # -- e-mail -------------------------------------------------------------------------------

    @staticmethod
    def _mail(
        session: Session,
        settings: Settings | None,
        *,
        to: Member,
        subject: str,
        headline: str,
        lines: list[str],
        path: str,
    ) -> None:
        if not to.contact_email.strip():
            return
        url = settings.public_url.rstrip("/") + path if settings is not None else None
        mail_service.queue(
            session,
            recipient=to.contact_email,
            subject=subject,
            template="seat_request",
            context={"member": to.name, "headline": headline, "lines": lines, "url": url},
        )


pooling_service = PoolingService()
