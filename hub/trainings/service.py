"""Rules of the trainings domain: receiving catalogue snapshots, browsing the pooled offer,
writing it as LHÉO."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from cae_contract.lheo import CATALOGUE_SCHEMA, with_defaults, write_lheo
from cae_contract.problems import ErrorItem
from cae_contract.registry import get_registry
from cae_contract.trainings import catalogue_problems
from cae_contract.versions import Acceptance
from hub.audit.service import SYSTEM, Actor, audit_service, describe_kind, record
from hub.config import Settings
from hub.db import utcnow
from hub.errors import Conflict, InProgress, NotFound, ValidationFailed
from hub.indicators.service import LOCK_NOT_AVAILABLE, parse_connector
from hub.members.models import Member
from hub.schemas.uploads import decode_document, validated
from hub.trainings.models import CatalogueRevision, TrainingSession
from hub.trainings.repository import (
    CatalogueRepository,
    KnownSession,
    SessionFilters,
    SessionRepository,
)
from hub.trainings.schemas import (
    CatalogueRevisionInfo,
    CatalogueSummary,
    HeldCatalogue,
    HeldCatalogues,
    SessionOffer,
    SessionPage,
    Trainer,
)

MAX_PER_PAGE = 100


def normalize_text(text: str) -> str:
    """Lower case, without accents: what searches compare."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _hash(value: Any) -> str:
    return hashlib.sha256(
        json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()


def _centi(amount: float | int | None) -> int | None:
    return None if amount is None else int(Decimal(repr(amount)) * 100)


def parse_day(text: str | None, where: str) -> date | None:
    """A day written AAAA-MM-JJ, or a 422 naming ``where``."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"Date inconnue : « {text} ».",
            errors=[ErrorItem(where, "date du calendrier attendue, au format AAAA-MM-JJ")],
        ) from None


def _day(value: date | None) -> str | None:
    return None if value is None else value.strftime("%Y%m%d")


@dataclass(frozen=True, slots=True)
class FlatSession:
    """One session with what it inherits from its action and formation, ready to store."""

    numero: str
    formation: dict[str, Any]
    action: dict[str, Any]
    session: dict[str, Any]
    content_hash: str
    tags: tuple[tuple[str, str], ...]

    @property
    def pooling(self) -> dict[str, Any]:
        return dict(self.session.get("mutualisation") or {})

    def row_values(self) -> dict[str, Any]:
        pooling = self.pooling
        words = [
            self.formation["intitule"],
            self.formation["objectif"],
            self.formation["contenu"],
            self.action.get("info_public_vise", ""),
        ]
        return {
            "formation_numero": self.formation["numero"],
            "action_numero": self.action["numero"],
            "title": self.formation["intitule"],
            "search_text": normalize_text(" ".join(words))[:10000],
            "teaching_mode": self.action["modalites_enseignement"],
            "start_day": self.session["debut"],
            "end_day": self.session["fin"],
            "seats_offered": int(pooling.get("places_offertes", 0)),
            "member_price_centi": _centi(pooling.get("prix_membre")),
            "registration_deadline": pooling.get("date_limite_inscription"),
            "content_hash": self.content_hash,
            "formation": self.formation,
            "action": self.action,
            "session": self.session,
        }


@dataclass(frozen=True, slots=True)
class PreparedCatalogue:
    """A catalogue checked whole, ready to store: what ``prepare`` computed without the
    database."""

    schema_version: str
    document: dict[str, Any]
    sessions: list[FlatSession]
    formation_count: int
    content_hash: str
    acceptance: Acceptance


def decode_catalogue(body: bytes) -> Any:
    """The JSON document of a catalogue body: UTF-8 only, no text a database cannot store."""
    return decode_document(body, what="Le catalogue")


def _regions_of(departements: Sequence[str]) -> list[str]:
    annotations = get_registry().code_annotations("code-departement")
    return sorted({str(annotations[d]["x-region"]) for d in departements if d in annotations})


def flatten(document: dict[str, Any]) -> list[FlatSession]:
    """Every session of a checked catalogue with what it inherits from its parents."""
    sessions: list[FlatSession] = []
    for formation in document["formations"]:
        f_fields = {k: v for k, v in formation.items() if k != "actions"}
        for action in formation["actions"]:
            a_fields = {k: v for k, v in action.items() if k != "sessions"}
            places = [p.get("departement") for p in action.get("lieux", [])]
            for session in action["sessions"]:
                departements = sorted(
                    {d for d in places if d}
                    or {d for d in [session["adresse_inscription"].get("departement")] if d}
                )
                tags = (
                    *(("trade", t) for t in formation.get("metiers", [])),
                    *(("formacode", c) for c in formation.get("formacodes", [])),
                    *(("departement", d) for d in departements),
                    *(("region", r) for r in _regions_of(departements)),
                )
                content = {"formation": f_fields, "action": a_fields, "session": session}
                digest = _hash(content)
                sessions.append(
                    FlatSession(session["numero"], f_fields, a_fields, session, digest, tags)
                )
    return sessions


ACCEPTED = "catalogue.accepted"
describe_kind(ACCEPTED, "catalogue de formation accepté")


def _accepted(
    session: Session, member: Member, summary: CatalogueSummary, actor: Actor
) -> CatalogueSummary:
    """``summary`` with the signed receipt of the audit event recording it."""
    event = record(
        session,
        kind=ACCEPTED,
        actor=actor,
        member_id=member.id,
        details={
            "revision": summary.revision,
            "content_hash": summary.content_hash,
            "sessions": summary.sessions,
            "offered": summary.offered,
            "new": len(summary.new),
            "modified": len(summary.modified),
            "withdrawn": len(summary.withdrawn),
            "unchanged": summary.unchanged,
            "replayed": summary.replayed,
        },
    )
    return summary.model_copy(update={"receipt": audit_service.receipt(event)})


class CatalogueService:
    def prepare(
        self, document: Any, *, schema_version: str | None = None, deprecation_days: int = 0
    ) -> PreparedCatalogue:
        """Check a catalogue whole (schema, then ``cae_contract.trainings`` rules: unique
        session numbers, dates in order) and hash it; no database. Any error refuses it
        entirely (422 naming every failing field)."""
        document, acceptance, errors = validated(
            CATALOGUE_SCHEMA,
            document,
            version=schema_version,
            deprecation_days=deprecation_days,
            refused="Catalogue refusé",
        )
        sessions: list[FlatSession] = []
        if not errors:
            document = with_defaults(document)
            errors = catalogue_problems(document)
        if not errors:
            sessions = flatten(document)
        if errors:
            raise ValidationFailed(
                f"Catalogue refusé : {len(errors)} erreur(s), rien n'a été enregistré.",
                errors=errors,
            )
        digest = _hash(sorted(s.content_hash for s in sessions))
        return PreparedCatalogue(
            acceptance.current,
            document,
            sessions,
            len(document["formations"]),
            digest,
            acceptance,
        )

    def store(
        self,
        session: Session,
        member: Member,
        prepared: PreparedCatalogue,
        *,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        connector: str | None = None,
        actor: Actor = SYSTEM,
        settings: Settings | None = None,
    ) -> CatalogueSummary:
        """Store a prepared catalogue as a new revision, unless unchanged, replayed or a dry
        run, and bring the member's sessions to it: new and modified ones written, absent ones
        withdrawn (never deleted). Every exchange but a dry run is audited, and the summary
        carries its signed receipt."""
        assert member.id is not None
        catalogues = CatalogueRepository(session)
        now = utcnow()
        offered = sum(1 for s in prepared.sessions if s.pooling.get("places_offertes", 0) > 0)
        summary = CatalogueSummary(
            revision=0,
            unchanged=False,
            dry_run=dry_run,
            schema_version=prepared.schema_version,
            content_hash=prepared.content_hash,
            formations=prepared.formation_count,
            sessions=len(prepared.sessions),
            offered=offered,
            new=[],
            modified=[],
            withdrawn=[],
            received_at=now,
        )
        if not dry_run:
            try:
                catalogues.lock(member.id)
            except OperationalError as exc:
                if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                    raise
                raise InProgress(
                    "Un envoi du catalogue de cette CAE est encore en cours d'enregistrement ; "
                    "réessayez dans un instant.",
                    headers={"Retry-After": "5"},
                ) from None
            if idempotency_key:
                earlier = catalogues.by_idempotency_key(member.id, idempotency_key)
                if earlier is not None:
                    if earlier.content_hash != prepared.content_hash:
                        raise Conflict(
                            "Cette clé d'idempotence a déjà servi pour un autre contenu.",
                            errors=[ErrorItem("header.idempotency-key", "clé déjà utilisée")],
                        )
                    replayed = summary.model_copy(
                        update={
                            "revision": earlier.revision,
                            "replayed": True,
                            "received_at": earlier.received_at,
                            **earlier.changes,
                        }
                    )
                    return _accepted(session, member, replayed, actor)
        current = catalogues.current(member.id)
        name, version = parse_connector(connector)
        if current is not None and current.content_hash == prepared.content_hash:
            if not dry_run:
                current.connector, current.connector_version = name, version
                current.last_received_at = now
                catalogues.save(current)
            unchanged = summary.model_copy(update={"revision": current.revision, "unchanged": True})
            return unchanged if dry_run else _accepted(session, member, unchanged, actor)

        sessions = SessionRepository(session)
        known = sessions.known(member.id)
        changes: dict[str, list[str]] = {"new": [], "modified": [], "withdrawn": []}
        for flat in prepared.sessions:
            row = known.get(flat.numero)
            if row is None or row.withdrawn:
                changes["new"].append(flat.numero)
            elif row.content_hash != flat.content_hash:
                changes["modified"].append(flat.numero)
        sent = {s.numero for s in prepared.sessions}
        gone = [(n, r) for n, r in sorted(known.items()) if n not in sent and not r.withdrawn]
        changes["withdrawn"] = [n for n, _ in gone]
        number = catalogues.last_revision_number(member.id) + 1
        summary = summary.model_copy(update={"revision": number, **changes})
        if dry_run:
            return summary
        catalogues.add_revision(
            CatalogueRevision(
                member_id=member.id,
                revision=number,
                schema_version=prepared.schema_version,
                content_hash=prepared.content_hash,
                session_count=len(prepared.sessions),
                connector=name,
                connector_version=version,
                idempotency_key=idempotency_key,
                document=prepared.document,
                changes=changes,
                received_at=now,
                last_received_at=now,
            )
        )
        self._apply(sessions, member.id, prepared.sessions, known, number, now)
        withdrawn_ids = [r.id for _, r in gone]
        sessions.withdraw(withdrawn_ids, now)
        summary = _accepted(session, member, summary, actor)
        if withdrawn_ids:
            # Imported here: pooling builds on this module (the offer a request shows).
            from hub.trainings.pooling import pooling_service

            pooling_service.close_withdrawn(session, withdrawn_ids, settings=settings, actor=actor)
        return summary

    def held(self, session: Session, member: Member) -> HeldCatalogues:
        """What the hub holds of the member's catalogue: its revision in force and content
        hash, no content (none before its first catalogue, or once the hub lost it)."""
        assert member.id is not None
        current = CatalogueRepository(session).current(member.id)
        found = (
            []
            if current is None
            else [
                HeldCatalogue(
                    revision=current.revision,
                    content_hash=current.content_hash,
                    sessions=current.session_count,
                )
            ]
        )
        return HeldCatalogues(member_siren=member.siren, catalogues=found)

    def read(self, session: Session, member: Member) -> CatalogueRevisionInfo:
        """The member's catalogue revision in force (404 before its first catalogue)."""
        assert member.id is not None
        current = CatalogueRepository(session).current(member.id)
        if current is None:
            raise NotFound("Cette CAE n'a encore envoyé aucun catalogue.")
        return CatalogueRevisionInfo(
            member_siren=member.siren,
            revision=current.revision,
            schema_version=current.schema_version,
            content_hash=current.content_hash,
            sessions=current.session_count,
            connector=current.connector,
            connector_version=current.connector_version,
            received_at=current.received_at,
            last_received_at=current.last_received_at,
            document=current.document,
        )

    @staticmethod
    def _apply(
        sessions: SessionRepository,
        member_id: int,
        flats: Sequence[FlatSession],
        known: dict[str, KnownSession],
        number: int,
        now: datetime,
    ) -> None:
        """Write the sessions of a new revision in bulk: inserted, updated or confirmed."""
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        confirmed: list[int] = []
        tags: dict[int, Sequence[tuple[str, str]]] = {}
        for flat in flats:
            row = known.get(flat.numero)
            if row is None:
                inserts.append(
                    {
                        "member_id": member_id,
                        "numero": flat.numero,
                        "first_revision": number,
                        "last_revision": number,
                        "withdrawn_at": None,
                        "created_at": now,
                        "updated_at": now,
                        **flat.row_values(),
                    }
                )
            elif row.content_hash != flat.content_hash:
                updates.append(
                    {
                        "id": row.id,
                        "last_revision": number,
                        "withdrawn_at": None,
                        "updated_at": now,
                        **flat.row_values(),
                    }
                )
                tags[row.id] = flat.tags
            else:
                confirmed.append(row.id)
        created = sessions.insert_many(inserts)
        by_numero = {flat.numero: flat for flat in flats}
        tags.update({id_: by_numero[numero].tags for numero, id_ in created.items()})
        sessions.update_many(updates)
        sessions.confirm(confirmed, revision=number, when=now)
        sessions.replace_tags(tags)


class OfferService:
    def browse(
        self,
        session: Session,
        *,
        caller: Member | None,
        staff: bool,
        q: str | None = None,
        trade: str | None = None,
        formacode: str | None = None,
        departement: str | None = None,
        region: str | None = None,
        modality: int | None = None,
        start_from: date | None = None,
        start_to: date | None = None,
        seats_min: int | None = None,
        include_withdrawn: bool = False,
        page: int = 1,
        per_page: int = 20,
    ) -> SessionPage:
        """The sessions the caller may see that answer the criteria, one page of them."""
        if start_from is not None and start_to is not None and start_from > start_to:
            raise ValidationFailed(
                "Période de recherche vide : la date de début minimale suit la maximale.",
                errors=[ErrorItem("query.debut_max", "doit suivre debut_min")],
            )
        self._check_code("query.metier", "code-trade", trade)
        self._check_code("query.departement", "code-departement", departement)
        self._check_code("query.region", "code-region", region)
        filters = SessionFilters(
            words=tuple(normalize_text(q).split()) if q else (),
            trade=trade,
            formacode=formacode,
            departement=departement,
            region=region,
            teaching_mode=modality,
            start_from=_day(start_from),
            start_to=_day(start_to),
            seats_min=seats_min,
            include_withdrawn=include_withdrawn,
        )
        caller_id = caller.id if caller is not None else None
        total, rows = SessionRepository(session).browse(
            filters,
            caller_id=caller_id,
            staff=staff,
            offset=(page - 1) * per_page,
            limit=per_page,
        )
        items = [self.offer_of(row, member, caller_id) for row, member in rows]
        return SessionPage(total=total, page=page, per_page=per_page, items=items)

    @staticmethod
    def _check_code(where: str, code_list: str, value: str | None) -> None:
        if value is not None and value not in get_registry().code_list(code_list):
            raise ValidationFailed(
                f"Critère de recherche inconnu : « {value} ».",
                errors=[ErrorItem(where, f"« {value} » n'est pas un code de « {code_list} »")],
            )

    @staticmethod
    def offer_of(row: TrainingSession, member: Member, caller_id: int | None) -> SessionOffer:
        """The session as ``caller_id`` sees it in the network's offer."""
        assert row.id is not None
        own = row.member_id == caller_id
        formation, action, session = row.formation, row.action, row.session
        pooling = session.get("mutualisation") or {}
        trainer = action.get("organisme_formateur")
        departements = sorted(
            {p["departement"] for p in action.get("lieux", []) if p.get("departement")}
            or {d for d in [session["adresse_inscription"].get("departement")] if d}
        )
        return SessionOffer(
            id=row.id,
            numero=row.numero,
            member_siren=member.siren,
            member_name=member.name,
            own=own,
            offered=row.seats_offered > 0,
            withdrawn=row.withdrawn_at is not None,
            formation_numero=row.formation_numero,
            intitule=formation["intitule"],
            objectif=formation["objectif"],
            formacodes=list(formation.get("formacodes", [])),
            metiers=list(formation.get("metiers", [])),
            certifiante=bool(formation["certifiante"]),
            action_numero=row.action_numero,
            modalites_enseignement=row.teaching_mode,
            duree_heures=action.get("duree_heures"),
            prix_total_ttc=action.get("prix_total_ttc"),
            departements=departements,
            regions=_regions_of(departements),
            debut=row.start_day,
            fin=row.end_day,
            etat_recrutement=session.get("etat_recrutement"),
            places_offertes=row.seats_offered,
            places_restantes=max(0, row.seats_offered - row.seats_accepted),
            prix_membre=pooling.get("prix_membre"),
            date_limite_inscription=row.registration_deadline,
            organisme_formateur=Trainer(
                siret=trainer["siret"],
                raison_sociale=trainer["raison_sociale"],
                numero_activite=trainer.get("numero_activite"),
                qualiopi_reference=(trainer.get("qualiopi") or {}).get("reference"),
                qualiopi_expiration=(trainer.get("qualiopi") or {}).get("expiration"),
            )
            if trainer
            else None,
            adresse_inscription=session["adresse_inscription"],
        )

    def export_lheo(self, session: Session) -> bytes:
        """The network's pooled catalogue (every session offered now) as LHÉO 2.3."""
        rows = SessionRepository(session).pooled()
        if not rows:
            raise NotFound("Aucune session n'est offerte au réseau pour l'instant.")
        formations: dict[tuple[int, str], dict[str, Any]] = {}
        actions: dict[tuple[int, str, str], dict[str, Any]] = {}
        for row in rows:
            f_key = (row.member_id, row.formation_numero)
            formation = formations.get(f_key)
            if formation is None:
                formation = formations[f_key] = {**row.formation, "actions": []}
            a_key = (*f_key, row.action_numero)
            action = actions.get(a_key)
            if action is None:
                action = actions[a_key] = {**row.action, "sessions": []}
                formation["actions"].append(action)
            action["sessions"].append(row.session)
        return write_lheo([{"formations": list(formations.values())}])


catalogue_service = CatalogueService()
offer_service = OfferService()
