"""Before sending a new revision: does it lose an indicator or a breakdown the previous one
had? Refused unless ``sync.no_longer_sent`` says so (the rules are the hub's, in
``cae_contract.continuity``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cae_contract.continuity import Loss, lost_breakdowns
from connectors.sync.client import Held
from connectors.sync.config import NoLongerSent
from connectors.sync.contents import loss_words
from connectors.sync.state import Acknowledgement


def uncovered_losses(
    breakdowns: Mapping[str, list[str]],
    *,
    previous: Acknowledgement | None,
    on_hub: Held | None,
    no_longer_sent: Sequence[NoLongerSent],
) -> tuple[list[Loss], int | None]:
    """What the previous revision sent and this document no longer does, unless configured
    as no longer sent; and that revision's number."""
    before: Mapping[str, list[str]] | None
    if on_hub is not None and on_hub.breakdowns is not None:
        before, revision = on_hub.breakdowns, on_hub.revision
    elif previous is not None:
        before, revision = previous.breakdowns, previous.revision
    else:
        return [], None
    losses = [
        loss
        for loss in lost_breakdowns(before, breakdowns)
        if not any(entry.covers(loss) for entry in no_longer_sent)
    ]
    return losses, revision


def loss_refusal(losses: Sequence[Loss], revision: int | None) -> str:
    """Why the client refused to send, and the configuration line that would allow it."""
    keys = ", ".join(
        f"« {loss.indicator}.{loss.breakdown} »" if loss.breakdown else f"« {loss.indicator} »"
        for loss in losses
    )
    which = f"la révision {revision}" if revision else "la révision précédente"
    sent = "l'envoyait" if len(losses) == 1 else "les envoyait"
    return (
        f"n'envoie plus {', '.join(loss_words(loss) for loss in losses)} ({which} {sent}) ; "
        "vérifiez la source (colonne renommée, fichier manquant) ou, si c'est voulu, ajoutez "
        f"{keys} à sync.no_longer_sent"
    )
