"""What a sync run did, document by document, and its French summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from connectors.sdk.base import Skipped

# What each kind of document is, for the people reading the report (keys name it in English).
_KINDS = {"indicator-report": "le rapport d'indicateurs"}


class Status(StrEnum):
    """The fate of one document in a run."""

    ACCEPTED = "accepted"  # the hub stored a new revision
    UNCHANGED = "unchanged"  # sent, and the hub already held this very content
    UP_TO_DATE = "up_to_date"  # not sent: the hub acknowledged this content in an earlier run
    CHECKED = "checked"  # dry run: the hub would accept it
    REJECTED = "rejected"  # refused, locally or by the hub; nothing stored

    @property
    def label(self) -> str:
        return {
            Status.ACCEPTED: "accepté",
            Status.UNCHANGED: "inchangé",
            Status.UP_TO_DATE: "déjà à jour",
            Status.CHECKED: "vérifié",
            Status.REJECTED: "refusé",
        }[self]


@dataclass(frozen=True)
class DocumentOutcome:
    """One document: where it ended, the hub's revision, and the messages to show."""

    key: str
    schema: str
    period: str
    status: Status
    revision: int | None = None
    refused_by: str | None = None  # "hub" or "client" (local validation)
    detail: str | None = None
    errors: tuple[tuple[str, str], ...] = ()  # (JSON path, French message)
    warnings: tuple[tuple[str, str], ...] = ()
    deprecation: str | None = None  # the hub's notice that the schema version sent is ageing
    replayed: bool = False
    resent: str | None = None  # why a document already acknowledged was sent again
    contents: str | None = None  # per indicator, what the document sends

    def line(self) -> str:
        """One French line, as progress shows it."""
        return f"{self.key} : {self.status.label}{self.suffix()}"

    def suffix(self) -> str:
        """The revision, or who refused it and why."""
        if self.status is Status.REJECTED:
            by = (
                "le hub"
                if self.refused_by == "hub"
                else "la vérification locale (rien n'a été envoyé)"
            )
            return f" par {by}" + (f" : {self.detail}" if self.detail else "")
        if self.status is Status.CHECKED and self.revision:
            return f" (deviendrait la révision {self.revision})"
        if self.status is Status.UP_TO_DATE:
            return f" (révision {self.revision}, non renvoyé)" if self.revision else ""
        resent = f", renvoyé : {self.resent}" if self.resent else ""
        if self.revision:
            return f" (révision {self.revision}{resent})"
        return f" ({resent[2:]})" if resent else ""


@dataclass
class SyncReport:
    """Everything a run did; ``render()`` is what the command prints at the end."""

    hub_url: str
    connector: str
    periods: list[str]
    dry_run: bool
    started_at: datetime
    finished_at: datetime | None = None
    outcomes: list[DocumentOutcome] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    connector_warnings: list[str] = field(default_factory=list)
    accept_skipped: bool = False  # records the connector skipped do not fail the run
    hub_remarks: list[str] = field(default_factory=list)

    def having(self, *statuses: Status) -> list[DocumentOutcome]:
        return [o for o in self.outcomes if o.status in statuses]

    @property
    def accepted(self) -> list[DocumentOutcome]:
        return self.having(Status.ACCEPTED)

    @property
    def rejected(self) -> list[DocumentOutcome]:
        return self.having(Status.REJECTED)

    @property
    def unchanged(self) -> list[DocumentOutcome]:
        return self.having(Status.UNCHANGED, Status.UP_TO_DATE)

    @property
    def sent(self) -> list[DocumentOutcome]:
        """Documents actually sent to the hub for storage in this run."""
        return self.having(Status.ACCEPTED, Status.UNCHANGED)

    @property
    def resent(self) -> list[DocumentOutcome]:
        """Documents sent again because the hub no longer held what it had acknowledged."""
        return [o for o in self.outcomes if o.resent and o.status is not Status.REJECTED]

    @property
    def ok(self) -> bool:
        """Nothing refused, and no record left out by the connector unless accepted."""
        return not self.rejected and (self.accept_skipped or not self.skipped)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form, for programs and logs."""
        return {
            "hub_url": self.hub_url,
            "connector": self.connector,
            "periods": self.periods,
            "dry_run": self.dry_run,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "documents": [
                {
                    "key": o.key,
                    "schema": o.schema,
                    "period": o.period,
                    "status": str(o.status),
                    "revision": o.revision,
                    "refused_by": o.refused_by,
                    "detail": o.detail,
                    "errors": [{"path": p, "message": m} for p, m in o.errors],
                    "warnings": [{"path": p, "message": m} for p, m in o.warnings],
                    "replayed": o.replayed,
                    "resent": o.resent,
                    "contents": o.contents,
                }
                for o in self.outcomes
            ],
            "skipped": [{"source": s.source, "message": s.message} for s in self.skipped],
            "connector_warnings": list(self.connector_warnings),
            "accept_skipped": self.accept_skipped,
            "hub_remarks": list(self.hub_remarks),
            "ok": self.ok,
        }

    def render(self) -> str:
        """The French report printed at the end of a run."""
        title = "Essai à blanc (rien n'a été enregistré)" if self.dry_run else "Synchronisation"
        lines = [
            f"{title} — hub {self.hub_url}, connecteur {self.connector}, "
            f"périodes {', '.join(self.periods)}"
        ]
        lines.extend(_legend(self.outcomes))
        if self.dry_run:
            _section(lines, "vérifiés, acceptables par le hub", self.having(Status.CHECKED))
        else:
            _section(lines, "acceptés", self.accepted)
        _section(lines, "inchangés", self.unchanged)
        _section(lines, "refusés", self.rejected, details=True)
        if not self.outcomes:
            lines.append("  aucun document produit par le connecteur pour ces périodes")
        if self.resent:
            lines.append(f"  renvoyés parce que le hub ne les détenait plus : {len(self.resent)}")
            lines.extend(f"    - {o.key} : {o.resent}" for o in self.resent)
        lines.extend(f"  remarque : {remark}" for remark in self.hub_remarks)
        described = [o for o in self.outcomes if o.contents and o.status is not Status.REJECTED]
        if described:
            lines.append(
                "  ce qui serait envoyé, par indicateur :"
                if self.dry_run
                else "  ce que le hub a reçu, par indicateur :"
            )
            lines.extend(f"    - {o.key} : {o.contents}" for o in described)
        if self.skipped:
            lines.append(f"  enregistrements ignorés par le connecteur : {len(self.skipped)}")
            lines.extend(f"    - {s.source} : {s.message}" for s in self.skipped)
        if self.connector_warnings:
            lines.append("  remarques du connecteur :")
            lines.extend(f"    - {w}" for w in self.connector_warnings)
        warned = [o for o in self.outcomes if o.warnings]
        for outcome in warned:
            lines.append(f"  avertissements du hub pour {outcome.key} :")
            lines.extend(f"    - {p} : {m}" for p, m in outcome.warnings)
        lines.append(_verdict(self))
        return "\n".join(lines)


def _section(
    lines: list[str], title: str, outcomes: Sequence[DocumentOutcome], *, details: bool = False
) -> None:
    lines.append(f"  {title} : {len(outcomes)}")
    for outcome in outcomes:
        lines.append(f"    - {outcome.key}{outcome.suffix()}")
        if details:
            lines.extend(f"        {path} : {message}" for path, message in outcome.errors)


def _legend(outcomes: Sequence[DocumentOutcome]) -> list[str]:
    """One line per kind of document, saying what its keys (``indicator-report/2025-S1``) mean."""
    examples: dict[str, DocumentOutcome] = {}
    for outcome in outcomes:
        examples.setdefault(outcome.schema, outcome)
    return [
        f"  « {o.key} » désigne {_KINDS.get(o.schema, f'le document « {o.schema} »')} "
        f"de la période {o.period}"
        + (" (S1 : janvier à juin, S2 : juillet à décembre)" if "-S" in o.period else "")
        for o in examples.values()
    ]


def _verdict(report: SyncReport) -> str:
    skipped = len(report.skipped)
    if report.rejected:
        verdict = (
            f"{len(report.rejected)} document(s) refusé(s) : corrigez la source ou la "
            "configuration du connecteur, puis relancez"
        )
        if skipped and not report.accept_skipped:
            verdict += f" ; {skipped} enregistrement(s) ignoré(s) par le connecteur, voir plus haut"
        return verdict
    if skipped and not report.accept_skipped:
        done = "tout le reste est acceptable" if report.dry_run else "le reste est sur le hub"
        return (
            f"{skipped} enregistrement(s) ignoré(s) par le connecteur, donc absent(s) des "
            f"chiffres envoyés ({done}) : corrigez-les dans la source, ou relancez avec "
            "--accept-skipped pour les laisser de côté en connaissance de cause"
        )
    left_out = (
        f" ; {skipped} enregistrement(s) ignoré(s) laissé(s) de côté (--accept-skipped)"
        if skipped
        else ""
    )
    if report.dry_run:
        return f"tout est acceptable{left_out} ; relancez sans --dry-run pour envoyer"
    return f"tout est à jour sur le hub{left_out}"
