"""SVG charts: well-formed, self-describing, French, deterministic, and silent about secrets."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from hub.web.charts import bar_chart, line_chart, sparkline
from hub.web.charts.svg import PALETTE, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"
NNBSP = "\u202f"
MINUS = "\u2212"
SEXES = ["Femme", "Homme", "Non précisé"]
TRADES = [
    "Travaux d'installation électrique dans tous locaux",
    "Travaux de plâtrerie",
    "Travaux de menuiserie bois et PVC",
    "Travaux de couverture par éléments",
]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    """The visible text of every <text>, tspans joined by a space."""
    return [" ".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def described_by(root: ET.Element) -> tuple[str, str]:
    """The title and description the root points to with aria-labelledby."""
    assert root.get("role") == "img"
    ids = root.get("aria-labelledby", "").split()
    found = {e.get("id"): e for e in root.iter() if e.get("id")}
    title, desc = (found[i] for i in ids)
    assert title.tag == f"{SVG}title" and desc.tag == f"{SVG}desc"
    return title.text or "", desc.text or ""


def secret_marks(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "secret"]


def test_a_bar_chart_describes_itself_in_french() -> None:
    svg = bar_chart(
        SEXES, {"Entrepreneurs": [1234, 856, 12]}, title="Entrepreneurs par sexe", unit="personnes"
    )
    root = parse(svg)
    title, desc = described_by(root)
    assert title == "Entrepreneurs par sexe"
    assert desc == (
        "Diagramme en barres. Femme : 1\u202f234\u00a0personnes ; Homme : 856\u00a0personnes ; "
        "Non précisé : 12\u00a0personnes. Plus grande valeur : Femme (1\u202f234\u00a0personnes)."
    )
    shown = texts(root)
    # Nice ticks every 200 up to 1 400, grouped the French way; the axis names the unit.
    assert [t for t in shown if re.fullmatch(r"[\d\u202f]+", t)][:8] == [
        "0",
        "200",
        "400",
        "600",
        "800",
        f"1{NNBSP}000",
        f"1{NNBSP}200",
        f"1{NNBSP}400",
    ]
    assert "en personnes" in shown
    assert f"1{NNBSP}234" in shown  # the value label of the bar
    assert "Secret statistique" not in shown  # no legend entry without secrets


def test_decimal_ticks_take_a_comma() -> None:
    root = parse(bar_chart(["A", "B"], {"ETP": [0.5, 1.75]}, title="Équipe", unit="ETP"))
    shown = texts(root)
    assert {"0,00", "0,25", "1,75"} <= set(shown)
    assert not any(re.fullmatch(r"\d+\.\d+", t) for t in shown)


def test_large_amounts_are_read_in_millions() -> None:
    root = parse(
        bar_chart(
            ["A", "B"], {"CA": [2_500_000, 1_250_000]}, title="Chiffre d'affaires", unit="EUR"
        )
    )
    shown = texts(root)
    assert "en millions d’euros" in shown
    assert {"0,0", "0,5", "2,5"} <= set(shown)
    _, desc = described_by(root)
    assert f"A : 2{NNBSP}500{NNBSP}000\u00a0€" in desc  # in full in the text alternative


def test_suppressed_cells_are_hatched_marks_without_a_value() -> None:
    series = {"Femme": [1500.0, None, 300.0, None], "Homme": [None, 2200.0, 900.0, 410.0]}
    svg = bar_chart(TRADES, series, title="CA", unit="EUR")
    root = parse(svg)
    marks = secret_marks(root)
    assert len(marks) == 3
    # Every mark has the same size and uses the hatching pattern declared once.
    sizes = {(r.get("width"), r.get("height")) for m in marks for r in m.iter(f"{SVG}rect")}
    assert len(sizes) == 1
    [pattern] = list(root.iter(f"{SVG}pattern"))
    fills = {r.get("fill") for m in marks for r in m.iter(f"{SVG}rect")}
    assert fills == {f"url(#{pattern.get('id')})"}
    assert "data-" not in svg
    _, desc = described_by(root)
    assert "Femme : Travaux d'installation électrique dans tous locaux : 1\u202f500\u00a0€" in desc
    assert "Travaux de plâtrerie : secret statistique" in desc
    assert desc.endswith(
        "3 valeurs sont couvertes par le secret statistique : elles ne sont pas représentées."
    )
    assert "Secret statistique" in texts(root)  # explained in the legend


def test_a_chart_cannot_tell_what_a_secret_hides() -> None:
    """The chart of a table with a hidden 17 shows none of it: the mark is the same whatever
    it hides, and nothing else in the drawing moves."""
    shown = bar_chart(SEXES, {"x": [10.0, 17.0, 30.0]}, title="t", unit="personnes")
    secret = bar_chart(SEXES, {"x": [10.0, None, 30.0]}, title="t", unit="personnes")
    assert "17" in texts(parse(shown))
    root = parse(secret)
    assert not any("17" in t for t in texts(root))
    assert "17" not in described_by(root)[1]
    assert "s" in texts(root)  # the mark's label, as in the tables
    ticks = [t for t in texts(root) if t.isdigit()]
    assert ticks == [t for t in texts(parse(shown)) if t.isdigit() and t != "17"]


def test_hostile_labels_are_escaped() -> None:
    hostile = "<script>alert(\"x\")</script> & 'co'"
    svg = bar_chart(
        [hostile, "B\x00\x07"],
        {hostile: [1.0, 2.0], "autre": [3.0, None]},
        title=hostile,
        unit="personnes",
        description=hostile,
    )
    assert "<script" not in svg
    root = parse(svg)
    title, desc = described_by(root)
    assert title == hostile
    assert hostile in desc
    assert hostile in texts(root)
    assert "B" in texts(root)  # control characters dropped, the rest kept
    line = line_chart(["2025-S1"], {hostile: [1.0]}, title=hostile, unit=hostile)
    assert "<script" not in line
    parse(line)
    spark = sparkline([1.0, None], title=hostile, unit=hostile)
    assert "<script" not in spark
    parse(spark)


def test_charts_are_deterministic_and_ids_do_not_collide() -> None:
    def draw(values: list[float | None]) -> str:
        return bar_chart(SEXES, {"a": values, "b": [3.0, 2.0, 1.0]}, title="T", unit="EUR")

    assert draw([1.5, None, 2.0]) == draw([1.5, None, 2.0])
    assert line_chart(["2025-S1", "2025-S2"], {"a": [1, 2]}, title="T", unit="%") == line_chart(
        ["2025-S1", "2025-S2"], {"a": [1, 2]}, title="T", unit="%"
    )
    # Two charts inlined in one page keep their own title, description and pattern.
    page = "<div>" + draw([1.5, None, 2.0]) + draw([1.0, None, 2.0]) + "</div>"
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)) == 6
    # The same data drawn two ways on one page gets two sets of identifiers too.
    across = bar_chart(SEXES, {"a": [1, 2, 3]}, title="T", unit="EUR", horizontal=True)
    down = bar_chart(SEXES, {"a": [1, 2, 3]}, title="T", unit="EUR", horizontal=False)
    assert parse(across).get("aria-labelledby") != parse(down).get("aria-labelledby")
    chosen = bar_chart(SEXES, {"a": [1, 2, 3]}, title="T", unit="EUR", id_prefix="ca-sexe")
    assert 'aria-labelledby="ca-sexe-titre ca-sexe-desc"' in chosen
    with pytest.raises(ValueError, match="id prefix"):
        bar_chart(SEXES, {"a": [1, 2, 3]}, title="T", unit="EUR", id_prefix='x" onload="y')


def test_negative_and_zero_values() -> None:
    root = parse(
        bar_chart(["A", "B", "C"], {"solde": [3.5, -2.25, 0.0]}, title="Solde", unit="ETP")
    )
    shown = texts(root)
    assert f"{MINUS}2" in shown and f"{MINUS}2,3" in shown  # a tick and the bar's label
    assert "0,0" in shown
    bars = [r for g in root.iter(f"{SVG}g") if g.get("class") is None for r in g.iter(f"{SVG}rect")]
    heights = [float(r.get("height", "")) for r in bars]
    assert heights[2] == 0  # zero: no bar, only its label
    # The negative bar hangs below the zero line, where the positive one stands above it.
    tops = [float(r.get("y", "")) for r in bars]
    assert tops[1] == pytest.approx(tops[0] + heights[0])


@pytest.mark.parametrize(
    "svg",
    [
        bar_chart([], {}, title="Vide", unit="personnes"),
        bar_chart(["A"], {}, title="Vide", unit="personnes"),
        line_chart([], {}, title="Vide", unit="personnes"),
    ],
)
def test_empty_charts_say_so(svg: str) -> None:
    root = parse(svg)
    _, desc = described_by(root)
    assert "Aucune donnée" in desc
    assert "Aucune donnée à afficher." in texts(root)


def test_all_secret_series_still_draw() -> None:
    root = parse(bar_chart(SEXES, {"x": [None, None, None]}, title="T", unit="personnes"))
    assert len(secret_marks(root)) == 3
    assert {"0", "1"} <= set(texts(root))


def test_series_must_match_the_categories_and_be_numbers() -> None:
    with pytest.raises(ValueError, match="2 values for 3"):
        bar_chart(SEXES, {"x": [1.0, 2.0]}, title="T", unit="personnes")
    with pytest.raises(ValueError, match="finite"):
        line_chart(["2025-S1"], {"x": [float("nan")]}, title="T", unit="personnes")
    with pytest.raises(ValueError, match="finite"):
        sparkline([1.0, float("inf")], title="T")


def test_long_labels_turn_bars_horizontal() -> None:
    root = parse(bar_chart(TRADES, {"CA": [1.0, 2.0, 3.0, 4.0]}, title="T", unit="EUR"))
    bars = [r for g in root.iter(f"{SVG}g") for r in g.iter(f"{SVG}rect")]
    assert len({r.get("height") for r in bars}) == 1  # same thickness, lengths vary
    assert len({r.get("width") for r in bars}) == 4
    wrapped = [t for t in root.iter(f"{SVG}text") if len(list(t)) == 2]
    assert wrapped, "the longest label runs over two lines"
    vertical = parse(bar_chart(SEXES, {"x": [1.0, 2.0, 3.0]}, title="T", unit="personnes"))
    bars = [r for g in vertical.iter(f"{SVG}g") for r in g.iter(f"{SVG}rect")]
    assert len({r.get("width") for r in bars}) == 1


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_palette_is_distinguishable_from_the_white_background() -> None:
    """WCAG 1.4.11: a bar reaches 3:1 against white by its fill or by its outline."""
    for fill, outline in PALETTE:
        best = max(_luminance(c) for c in (fill, outline) if c is not None)
        darkest = min(_luminance(c) for c in (fill, outline) if c is not None)
        assert (1.05) / (darkest + 0.05) >= 3, (fill, outline, best)


def test_a_line_chart_breaks_at_secrets_and_unpublished_periods() -> None:
    periods = ["2024-S1", "2024-S2", "2025-S1", "2025-S2", "2026-S1"]
    svg = line_chart(
        periods,
        {"Femme": [10, 12, None, 15, 16], "Homme": [20, None, 22, 25, 27]},
        title="Entrepreneurs",
        unit="personnes",
        unpublished=["2025-S1"],
    )
    root = parse(svg)
    _, desc = described_by(root)
    assert desc.startswith("Courbe d’évolution, de 1er semestre 2024 à 1er semestre 2026.")
    assert "Femme : 1er semestre 2024 : 10\u00a0personnes" in desc
    assert "2e semestre 2024 : secret statistique" in desc
    assert "1er semestre 2025 : non publiée" in desc
    assert "22" not in desc  # the value given for an unpublished period is ignored
    assert desc.endswith(
        "1 valeur est couverte par le secret statistique : elle n’est pas représentée."
    )
    assert len(secret_marks(root)) == 1
    # Femme: [10, 12] and [15, 16]; Homme: [25, 27] (20 stands alone).
    assert len(list(root.iter(f"{SVG}polyline"))) == 3
    shown = texts(root)
    assert "1er sem. 2024" in shown and "2e sem. 2025" in shown
    assert "1er sem. 2025 non publiée" in shown
    assert "en personnes" in shown


def test_a_line_chart_can_zoom_away_from_zero() -> None:
    root = parse(
        line_chart(
            ["2025-S1", "2025-S2"], {"x": [1000, 1050]}, title="T", unit="personnes", zero=False
        )
    )
    ticks = [t for t in texts(root) if re.fullmatch(r"[\d\u202f]+", t)]
    assert "0" not in ticks
    assert ticks[0] == f"1{NNBSP}000" and ticks[-1] == f"1{NNBSP}050"


def test_sparkline() -> None:
    svg = sparkline(
        [120, 135, None, 150],
        title="Entrepreneurs : évolution",
        unit="personnes",
        periods=["2024-S1", "2024-S2", "2025-S1", "2025-S2"],
    )
    root = parse(svg)
    title, desc = described_by(root)
    assert title == "Entrepreneurs : évolution"
    assert desc == (
        "Évolution sur 4 périodes : de 120\u00a0personnes (1er semestre 2024) à "
        "150\u00a0personnes (2e semestre 2025) ; minimum 120\u00a0personnes, "
        "maximum 150\u00a0personnes. 1 valeur est couverte par le secret statistique : "
        "elle n’est pas représentée."
    )
    assert len(secret_marks(root)) == 1
    assert root.get("width") == "120"
    empty = parse(sparkline([None, None], title="T"))
    assert described_by(empty)[1].startswith("Aucune valeur publiée.")
    with pytest.raises(ValueError):
        sparkline([1.0], title="T", periods=["2025-S1", "2025-S2"])


@pytest.mark.parametrize(
    ("lo", "hi", "integer", "expected"),
    [
        (0, 1234, False, [0, 200, 400, 600, 800, 1000, 1200, 1400]),
        (0, 1.75, False, ["0", "0.25", "0.5", "0.75", "1", "1.25", "1.5", "1.75"]),
        (-2.25, 3.5, False, [-3, -2, -1, 0, 1, 2, 3, 4]),
        (0, 3, True, [0, 1, 2, 3]),
        (0, 0.3, True, [0, 1]),
        (0, 0, False, ["0", "0.2", "0.4", "0.6", "0.8", "1"]),
        (1000, 1050, False, [1000, 1010, 1020, 1030, 1040, 1050]),
    ],
)
def test_nice_ticks(lo: float, hi: float, integer: bool, expected: list[object]) -> None:
    assert nice_ticks(lo, hi, integer=integer) == [Decimal(str(e)) for e in expected]
