"""Layout in real Chromium: wide tables scroll in their own box with the first column and the
header row fixed, every page fits a 390 px phone, and a wide table prints in full in landscape."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.web_e2e.browser import SCREENSHOTS, Visitor, shoot
from tests.web_e2e.dataset import PUBLISHED, TO_PUBLISH, Dataset

PERIOD = PUBLISHED[-1]
PHONE = {"width": 390, "height": 844}
WIDE_TABLE = (
    f"/statistiques?indicateur=entrepreneurs&periode={PERIOD}&par=trade&par=departement&vue=tableau"
)
WIDE_EVOLUTION = f"/statistiques?indicateur=entrepreneurs&periode={PERIOD}&par=trade&vue=evolution"


def _staff_pages(dataset: Dataset) -> list[str]:
    return [
        "/tableau-de-bord",
        f"/tableau-de-bord?periode={TO_PUBLISH}",
        WIDE_TABLE,
        WIDE_EVOLUTION,
        f"/statistiques?indicateur=entrepreneurs&periode={PERIOD}&par=trade&par=sex",
        f"/completude?periode={TO_PUBLISH}",
        "/membres",
        f"/membres/{dataset.member_siren}",
        f"/publication/{TO_PUBLISH}",
    ]


CULPRITS = """() => {
  const limit = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > limit + 1
      && !(e.closest('.defilement') && e.closest('.defilement') !== e))
    .slice(0, 6)
    .map(e => `${e.tagName.toLowerCase()}.${e.className} `
      + Math.round(e.getBoundingClientRect().right));
}"""


def _culprits(visitor: Visitor) -> list[str]:
    found = visitor.page.evaluate(CULPRITS)
    assert isinstance(found, list)
    return [str(f) for f in found]


def _page_width(visitor: Visitor) -> int:
    width = visitor.page.evaluate("document.scrollingElement.scrollWidth")
    assert isinstance(width, int)
    return width


def test_every_staff_page_fits_a_phone(staff: Visitor, dataset: Dataset) -> None:
    page = staff.page
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    too_wide = {}
    for path in _staff_pages(dataset):
        page.goto(path)
        width = _page_width(staff)
        if width > PHONE["width"]:
            too_wide[path] = (width, _culprits(staff))
        if path in (WIDE_TABLE, "/tableau-de-bord"):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = "tableau-large" if path == WIDE_TABLE else "tableau-de-bord"
            page.screenshot(path=SCREENSHOTS / f"{name}-telephone.png", full_page=True)
    assert not too_wide, too_wide


def test_every_member_page_fits_a_phone(member: Visitor) -> None:
    page = member.page
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    too_wide = {}
    for path in (
        "/tableau-de-bord",
        f"/statistiques?indicateur=entrepreneurs&periode={PERIOD}&par=trade&par=sex",
        f"/apercu?indicateur=entrepreneurs&periode={TO_PUBLISH}&par=trade&par=sex",
    ):
        page.goto(path)
        width = _page_width(member)
        if width > PHONE["width"]:
            too_wide[path] = (width, _culprits(member))
    assert not too_wide, too_wide


def test_the_login_page_fits_a_phone(visitor: Visitor) -> None:
    visitor.page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    visitor.page.goto("/connexion")
    assert _page_width(visitor) <= PHONE["width"], _culprits(visitor)


@pytest.mark.parametrize("path", [WIDE_TABLE, WIDE_EVOLUTION], ids=["departements", "evolution"])
def test_a_wide_table_scrolls_in_its_box_with_first_column_and_header_fixed(
    staff: Visitor, path: str
) -> None:
    page = staff.page
    page.goto(path)
    box = page.locator(".defilement").first
    sizes = box.evaluate(
        "b => ({scroll: b.scrollWidth, client: b.clientWidth, height: b.clientHeight,"
        " scrollHeight: b.scrollHeight})"
    )
    assert sizes["scroll"] > sizes["client"], "the table should be wider than its box"
    assert _page_width(staff) <= page.viewport_size["width"]  # type: ignore[index]
    corner = box.locator("thead th").first
    first_row = box.locator("tbody th").first
    last_header = box.locator("thead th").last
    before = (corner.bounding_box(), first_row.bounding_box())
    box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
    after = (corner.bounding_box(), first_row.bounding_box())
    assert before[0] and before[1] and after[0] and after[1]
    assert after[0]["x"] == pytest.approx(before[0]["x"], abs=1)
    assert after[1]["x"] == pytest.approx(before[1]["x"], abs=1)
    header_box = last_header.bounding_box()
    box_box = box.bounding_box()
    assert header_box and box_box
    assert header_box["x"] + header_box["width"] <= box_box["x"] + box_box["width"] + 1
    if sizes["scrollHeight"] > sizes["height"]:
        box.evaluate("b => { b.scrollTop = b.scrollHeight; }")
        moved = corner.bounding_box()
        assert moved and moved["y"] == pytest.approx(box_box["y"], abs=2)  # stuck at the top
    shoot(page, f"tableau-large-{'evolution' if 'evolution' in path else 'departements'}")


def test_a_wide_table_prints_in_full_in_landscape(staff: Visitor) -> None:
    page = staff.page
    page.goto(WIDE_TABLE)
    headers = page.locator("#tableau thead th").all_inner_texts()
    last = headers[-1].strip()
    before_last = headers[-2].strip()
    first_row = page.locator("#tableau tbody th").first.inner_text().strip()
    last_row = page.locator("#tableau tbody th").last.inner_text().strip()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "tableau-large-impression.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    first_page = reader.pages[0]
    assert first_page.mediabox.width > first_page.mediabox.height, "landscape expected"
    text = " ".join((p.extract_text() or "") for p in reader.pages)
    words = " ".join(text.split())
    for expected in (last, before_last, first_row, last_row):
        assert " ".join(expected.split()) in words, (expected, words[:2000])
    # Nothing is clipped: in print layout the table fits the printed width.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 1050, "height": 740})
    widths = page.evaluate(
        "() => [...document.querySelectorAll('table')]"
        ".filter(t => t.offsetParent !== null)"
        ".map(t => Math.round(t.getBoundingClientRect().right))"
    )
    assert widths and max(widths) <= page.evaluate("document.documentElement.clientWidth") + 1
    assert _page_width(staff) <= 1050
