"""The delegations domain's section of a seminar pack: payroll delegation between CAEs in
aggregate (mandates by status, tasks of last and this month done, due and late). Counts only:
no CAE, mandate or payload is named."""

from __future__ import annotations

from markupsafe import Markup, escape

from cae_contract.format import fr_int
from hub.delegations.overview import federation_activity
from hub.delegations.service import STATUS_LABELS
from hub.seminars.models import PLENARY, GroupCode
from hub.seminars.sections import PackContext, Section, pack_section


@pack_section("paie", order=55, audiences={GroupCode.COMPETENCES, PLENARY})
def delegation_section(context: PackContext) -> Section:
    activity = federation_activity(context.session)
    rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th><td>{fr_int(activity.by_status.get(code, 0))}'
        "</td></tr>"
        for code, label in STATUS_LABELS.items()
    )
    html = Markup(  # noqa: S704 - every value is escaped or a number
        "<p>Mandats de délégation de paie entre CAE (article 28 du RGPD), par état. Le hub ne "
        "voit aucun contenu : seulement les mandats, les échéances et leurs états.</p>"
        "<table><caption>Mandats de délégation de paie</caption><thead><tr>"
        '<th scope="col">État</th><th scope="col">Mandats</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        f"<p>Tâches du mois dernier et de ce mois pour les mandats en vigueur : "
        f"{fr_int(activity.tasks_done)} faites, {fr_int(activity.tasks_due)} à venir, "
        f"{fr_int(activity.tasks_late)} en retard.</p>"
    )
    return Section("paie", "Délégation de paie entre CAE", html)
