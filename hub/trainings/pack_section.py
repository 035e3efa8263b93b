"""The trainings domain's section of a seminar pack: the pooling of the seminar's semester
(sessions offered to the network, seats offered, asked and accepted), in total, by region and
by trade. Counts only: no CAE, session or request is named."""

from __future__ import annotations

from markupsafe import Markup, escape

from cae_contract.format import fr_int, fr_period
from cae_contract.periods import Period
from hub.seminars.models import PLENARY, GroupCode
from hub.seminars.sections import PackContext, Section, pack_section
from hub.trainings.activity import COLUMNS, DIMENSIONS, ActivityRow, activity_service


def _table(caption: str, head: str, rows: list[ActivityRow]) -> str:
    header = "".join(f'<th scope="col">{escape(c)}</th>' for c in COLUMNS)
    body = "".join(
        f'<tr><th scope="row">{escape(row.label)}</th>'
        + "".join(f"<td>{fr_int(v)}</td>" for v in row.values())
        + "</tr>"
        for row in rows
    )
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>"
        f'<th scope="col">{escape(head)}</th>{header}</tr></thead><tbody>{body}</tbody></table>'
    )


@pack_section("formations", order=60, audiences={GroupCode.FORMATION, PLENARY})
def pooling_section(context: PackContext) -> Section:
    period = Period.parse(context.seminar.period)
    activity = activity_service.semester(context.session, period)
    total = activity.total
    parts = [
        f"<p>Sessions commençant au {escape(fr_period(period))} et offertes au réseau : "
        f"{fr_int(total.sessions)} sessions, {fr_int(total.seats_offered)} places offertes, "
        f"{fr_int(total.requests)} demandes pour {fr_int(total.seats_requested)} places, "
        f"{fr_int(total.seats_accepted)} places accordées. Une session qui sert plusieurs "
        "métiers compte dans chacun : les lignes par métier ne s'additionnent pas.</p>"
    ]
    for kind, label in DIMENSIONS.items():
        rows = activity.breakdowns.get(kind, [])
        if rows:
            parts.append(_table(f"Mutualisation des formations par {label.lower()}", label, rows))
    html = Markup("".join(parts))  # noqa: S704 - every value above is escaped or a number
    return Section("formations", "Formations mutualisées du semestre", html)
