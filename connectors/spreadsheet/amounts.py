"""Per-person amount columns of a register: « CA HT 2025 », « Masse salariale S1 2025 ».

A header is an amount column when, once the period and a few words without meaning (HT,
hors taxes, en euros, €, total, annuel…) are set aside, it names revenue or gross payroll,
in French or in English. The period is a year (« 2025 ») or a semester (« 2025-S1 »,
« S2 2025 », « 1er semestre 2025 », « H1 2025 »). A header that does not say its period is
read only when the configuration's ``amount_columns`` names it with its period.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from cae_contract.periods import Period
from connectors.sdk.tabular import normalize_label

REVENUE_WORDS = (
    "ca", "c a", "chiffre d affaires", "chiffre d affaire", "chiffre affaires",
    "ca facture", "facturation", "revenue", "revenues", "turnover", "sales",
)  # fmt: skip
PAYROLL_WORDS = (
    "masse salariale", "masse salariale brute", "salaire brut", "salaires bruts",
    "salaire", "salaires", "remuneration brute", "remunerations brutes", "brut",
    "gross payroll", "payroll", "gross pay", "gross salary", "gross wages", "wages",
)  # fmt: skip
_FILLERS = frozenset((
    "ht", "hors", "taxe", "taxes", "en", "eur", "euro", "euros", "excl", "excluding", "vat",
    "tax", "net", "of", "total", "annuel", "annuelle", "annual", "realise", "realises", "du",
    "de", "la", "l",
))  # fmt: skip
_KINDS = {
    **{words: "revenue" for words in REVENUE_WORDS},
    **{words: "payroll" for words in PAYROLL_WORDS},
}
_SEMESTER = (
    r"(?:(?P<y1>\d{4})\s*-?\s*[sh](?P<s1>[12])"
    r"|[sh](?P<s2>[12])\s*-?\s*(?P<y2>\d{4})"
    r"|(?P<s3>[12])\s*(?:er|re|e|eme|nd|nde)?\s*semestre\s*(?P<y3>\d{4})"
    r"|(?P<y4>\d{4}))"
)
_PERIOD = re.compile(r"(?:^|\s)" + _SEMESTER + r"(?:\s|$)")


def _words(text: str) -> str:
    plain = "".join(
        ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch)
    )
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def _period(match: re.Match[str]) -> Period | None:
    for year, semester in (("y1", "s1"), ("y2", "s2"), ("y3", "s3"), ("y4", None)):
        if match.group(year):
            number = match.group(semester) if semester else None
            text = f"{match.group(year)}-S{number}" if number else match.group(year)
            try:
                return Period.parse(text)
            except ValueError:
                return None
    return None


def kind_of(text: str) -> str | None:
    """``revenue`` or ``payroll`` for a header that names one (period set aside), else None."""
    words = " ".join(word for word in _words(text).split() if word not in _FILLERS)
    return _KINDS.get(words)


def amount_column(header: str) -> tuple[str, Period] | None:
    """``(kind, period)`` of a per-person amount header, or None."""
    words = _words(header)
    match = _PERIOD.search(words)
    if match is None:
        return None
    period = _period(match)
    rest = (words[: match.start()] + " " + words[match.end() :]).strip()
    kind = kind_of(rest)
    if period is None or kind is None:
        return None
    return kind, period


def field_name(kind: str, period: Period) -> str:
    """The field a register row keeps the amount under (``revenue@2025``)."""
    return f"{kind}@{period}"


def parse_field(name: str) -> tuple[str, Period] | None:
    kind, at, period = name.partition("@")
    return (kind, Period.parse(period)) if at else None


class AmountColumns:
    """Recognises amount headers for ``read_table(extra=…)``: the ones ``amount_columns``
    names (normalized as headers are), and those whose form says kind and period, unless
    ``amount_columns`` already names a column for that kind and period."""

    def __init__(
        self,
        configured: Mapping[str, Mapping[str, str]],
        *,
        elsewhere: frozenset[str] = frozenset(),
    ) -> None:
        self.elsewhere = elsewhere
        """Kinds whose amounts come from a file of their own: their columns are not read."""
        self.ignored: dict[str, str] = {}
        """Header → kind of the columns left unread because of ``elsewhere``."""
        self.configured = {
            normalize_label(header): field_name(kind, Period.parse(period))
            for kind, by_period in configured.items()
            for period, header in by_period.items()
        }
        self.headers = {
            field_name(kind, Period.parse(period)): header
            for kind, by_period in configured.items()
            for period, header in by_period.items()
        }

    def __call__(self, header: str) -> str | None:
        key = normalize_label(header)
        if key in self.configured:
            return self.configured[key]
        found = amount_column(header)
        if found is None or field_name(*found) in self.headers:
            return None
        if found[0] in self.elsewhere:
            self.ignored[header] = found[0]
            return None
        return field_name(*found)
