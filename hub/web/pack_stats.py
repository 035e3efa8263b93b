"""The statistics' sections of a seminar pack: key figures of the published semester, their
trend, the comparison by region and who reported.

They live beside the dashboard because they draw its tables and SVG charts (the stats
domain does not import the dashboard); like the pages, they read the stats service's
published tables only, so a secret cell reaches them without its value.
"""

from __future__ import annotations

from markupsafe import Markup

from cae_contract.format import fr_int
from cae_contract.registry import get_registry
from hub.seminars.models import AUDIENCE_NAMES
from hub.seminars.sections import PackContext, Section, pack_section
from hub.stats.service import stats_service
from hub.web.rendering import environment
from hub.web.tables import table_view
from hub.web.visuals import table_chart, trend_chart, trend_table

EVERY_AUDIENCE = tuple(AUDIENCE_NAMES)
KEY_FIGURES = (
    ("entrepreneurs", "contract"),
    ("associates", None),
    ("associate_rate", None),
    ("entries", None),
    ("exits", None),
    ("revenue_eur", None),
    ("support_staff_fte", None),
)
TRENDS = ("entrepreneurs", "associate_rate", "revenue_eur")
REGIONAL = ("entrepreneurs", "revenue_eur")


def _render(part: str, **context: object) -> Markup:
    html = environment().get_template("pack_stats.html").render(part=part, **context)
    return Markup(html)  # noqa: S704 - rendered by the autoescaping environment


@pack_section("chiffres", order=10, audiences=EVERY_AUDIENCE)
def key_figures(context: PackContext) -> Section:
    tables = stats_service.tables(
        context.session,
        specs=list(KEY_FIGURES),
        period_text=context.period,
        draft=False,
        staff=True,
        settings=context.settings,
    )
    views = [table_view(t) for t in tables]
    return Section("chiffres", "Chiffres clés du semestre", _render("figures", views=views))


@pack_section("evolution", order=20, audiences=EVERY_AUDIENCE)
def trends(context: PackContext) -> Section:
    parts = []
    for code in TRENDS:
        series = stats_service.series(
            context.session,
            indicator_code=code,
            by_text=None,
            first=context.periods[0],
            last=context.period,
            draft=False,
            staff=True,
            settings=context.settings,
        )
        points = [(p.period, p.table) for p in series.points]
        label = series.indicator.label
        parts.append(
            (
                trend_chart(points, [], label, series.indicator.unit),
                trend_table(points, [], caption=f"{label} : évolution par semestre"),
            )
        )
    return Section(
        "evolution", "Évolution sur les derniers semestres", _render("trends", parts=parts)
    )


@pack_section("regions", order=30, audiences=EVERY_AUDIENCE)
def regions(context: PackContext) -> Section:
    tables = stats_service.tables(
        context.session,
        specs=[(code, "region") for code in REGIONAL],
        period_text=context.period,
        draft=False,
        staff=True,
        settings=context.settings,
    )
    parts = [(table_chart(t), table_view(t)) for t in tables]
    return Section("regions", "Comparaison par région", _render("regions", parts=parts))


@pack_section("completude", order=35, audiences=EVERY_AUDIENCE)
def completeness(context: PackContext) -> Section:
    """How many CAEs are in the publication, by region: counts only, since a member CAE sees
    no other CAE's row of completeness (who may see what), and packs are read by members."""
    found = stats_service.completeness(context.session, period_text=context.period, member=None)
    labels = get_registry().code_list("code-region")
    by_region: dict[str, list[int]] = {}
    for row in found.rows:
        counts = by_region.setdefault(row.region, [0, 0])
        counts[0] += 1
        counts[1] += row.in_publication is not None
    regions = sorted(
        (
            (labels.get(code, code), fr_int(total), fr_int(included))
            for code, (total, included) in by_region.items()
        ),
        key=lambda r: r[0],
    )
    included = sum(counts[1] for counts in by_region.values())
    return Section(
        "completude",
        "Complétude : combien ont transmis",
        _render(
            "completeness",
            members=fr_int(found.members),
            included=fr_int(included),
            regions=regions,
        ),
    )
