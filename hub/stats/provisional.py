"""Provisional publications: a period published before it ended, on staff's explicit
confirmation, and labelled « provisoire » wherever its figures appear.

A later publication of the same period, once it has ended, is final: it supersedes the
provisional one (readers always get a period's latest publication) and carries no label.
"""

from __future__ import annotations

from datetime import datetime

from cae_contract.format import fr_date, fr_period, is_running
from cae_contract.periods import Period
from cae_contract.problems import ErrorItem
from hub.errors import Conflict

__all__ = [
    "PROVISIONAL_NOTE",
    "ProvisionalRequired",
    "check_publishable",
    "is_running",
    "provisional_label",
    "refusal_detail",
]

PROVISIONAL_NOTE = (
    "Publication provisoire : la période n'était pas terminée quand ces chiffres ont été "
    "publiés ; ils sont partiels et seront remplacés par la publication définitive."
)


class ProvisionalRequired(Conflict):
    """Publishing a period that has not ended needs ``provisional=true``."""

    slug = "provisional-required"
    title = "Période non terminée"


def _kind(period: Period) -> str:
    return "semestre" if period.is_semester else "année"


API_CONFIRMATION = "confirmez une publication provisoire (provisional=true)"


def refusal_detail(period: Period, *, confirm: str = API_CONFIRMATION) -> str:
    """Why ``period`` cannot be published without confirmation, and how to ``confirm``
    (French)."""
    name = fr_period(str(period))
    if period.is_semester:
        subject, ended, ends = f"Le {name}", "terminé", "il se termine"
    else:
        subject, ended, ends = f"L'{name}", "terminée", "elle se termine"
    return (
        f"{subject} n'est pas {ended} : {ends} le {fr_date(period.end)}. Ses chiffres sont "
        f"partiels. Pour les publier quand même, {confirm} : la publication sera signalée "
        "« provisoire » partout où elle paraît, jusqu'à la publication définitive après la "
        "fin de la période."
    )


def check_publishable(period: Period, *, provisional: bool) -> bool:
    """Whether a publication of ``period`` made now is provisional; refuse a period that
    has not ended unless staff confirmed a provisional publication."""
    if not is_running(period):
        return False
    if not provisional:
        raise ProvisionalRequired(
            refusal_detail(period),
            errors=[
                ErrorItem(
                    "query.provisional",
                    f"période non terminée (fin le {fr_date(period.end)}) : "
                    "provisional=true pour confirmer une publication provisoire",
                )
            ],
        )
    return True


def provisional_label(period: Period | str, published_at: datetime) -> str:
    """« provisoire : semestre en cours au 2 décembre 2026 »."""
    found = Period.parse(period) if isinstance(period, str) else period
    return f"provisoire : {_kind(found)} en cours au {fr_date(published_at)}"
