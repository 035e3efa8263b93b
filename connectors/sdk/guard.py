"""The personal-data guard: a document that carries a personal field is never sent.

Aggregated reports hold codes and numbers; anything that looks like a person is a bug of the
connector or of its configuration. The guard looks at

- keys: names (nom, prénom, name…), NIR / sécurité sociale, birth dates (naissance, birth,
  dob), addresses (adresse, rue, code postal…), e-mails, phones, bank details (IBAN, BIC, RIB);
- text values: a NIR (15 characters with a valid key, or 13 well-formed digits), an IBAN
  with a valid checksum, an e-mail address, a French phone number, a full date more than
  15 years old (a birth date: the documents the hub receives speak of recent periods).

Findings are JSON paths; neither they nor the error message ever quote the value found. The
public contact points a schema declares (``cae_contract.public_fields``: a training's venue,
where to register) are not findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from cae_contract.periods import today
from cae_contract.public_fields import is_public_contact
from connectors.sdk.base import Document
from connectors.sdk.errors import PersonalDataError

__all__ = ["ensure_no_personal_data", "find_personal_fields", "personal_findings"]

# Keys are split into words (snake_case, kebab-case, camelCase, spaces) and lowercased.
_PERSONAL_WORDS = {
    "nom": "nom",
    "noms": "nom",
    "prenom": "prénom",
    "prenoms": "prénom",
    "name": "nom",
    "firstname": "prénom",
    "lastname": "nom",
    "surname": "nom",
    "fullname": "nom",
    "givenname": "prénom",
    "familyname": "nom",
    "nomdenaissance": "nom",
    "nir": "NIR",
    "secu": "NIR",
    "ssn": "NIR",
    "securitesociale": "NIR",
    "birth": "date de naissance",
    "birthdate": "date de naissance",
    "birthday": "date de naissance",
    "naissance": "date de naissance",
    "dob": "date de naissance",
    "address": "adresse",
    "adresse": "adresse",
    "rue": "adresse",
    "street": "adresse",
    "zipcode": "adresse",
    "zip": "adresse",
    "codepostal": "adresse",
    "postcode": "adresse",
    "postal": "adresse",
    "email": "adresse électronique",
    "mail": "adresse électronique",
    "courriel": "adresse électronique",
    "tel": "téléphone",
    "telephone": "téléphone",
    "phone": "téléphone",
    "mobile": "téléphone",
    "portable": "téléphone",
    "fax": "téléphone",
    "iban": "coordonnées bancaires",
    "bic": "coordonnées bancaires",
    "rib": "coordonnées bancaires",
}
# Compound keys whose words only mean something together (« code postal », « first name »).
_PERSONAL_PAIRS = {
    ("code", "postal"): "adresse",
    ("first", "name"): "prénom",
    ("last", "name"): "nom",
    ("full", "name"): "nom",
    ("given", "name"): "prénom",
    ("family", "name"): "nom",
    ("e", "mail"): "adresse électronique",
    ("date", "naissance"): "date de naissance",
    ("securite", "sociale"): "NIR",
    ("num", "secu"): "NIR",
}
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_ACCENTS = str.maketrans("àâäéèêëîïôöùûüçÀÂÄÉÈÊËÎÏÔÖÙÛÜÇ", "aaaeeeeiioouuucAAAEEEEIIOOUUUC")

_NIR = re.compile(
    r"(?<![0-9A-Za-z])([1-478])\s?([0-9]{2})\s?(0[1-9]|1[0-2]|[2-9][0-9])\s?"
    r"([0-9]{2}|2[AaBb])\s?([0-9]{3})\s?([0-9]{3})(?:\s?([0-9]{2}))?(?![0-9A-Za-z])"
)
_IBAN = re.compile(r"(?<![0-9A-Za-z])([A-Z]{2}[0-9]{2}(?:\s?[0-9A-Z]){11,30})(?![0-9A-Za-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(
    r"(?<![0-9A-Za-z.,])(?:\+33\s?|0033\s?|0)[1-9](?:[\s.-]?[0-9]{2}){4}(?![0-9A-Za-z])"
)
_DATE = re.compile(
    r"(?<![0-9])(?:(?P<y1>[0-9]{4})-(?P<m1>[0-9]{2})-(?P<d1>[0-9]{2})"
    r"|(?P<d2>[0-9]{1,2})/(?P<m2>[0-9]{1,2})/(?P<y2>[0-9]{4}))(?![0-9])"
)
_BIRTH_DATE_AGE_YEARS = 15


def _words(key: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(key.translate(_ACCENTS))]


# Documents repeat a handful of keys thousands of times; splitting each again was a fifth of a
# sync's time.
@lru_cache(maxsize=4096)
def _key_kind(key: str) -> str | None:
    words = _words(key)
    joined = "".join(words)
    if joined in _PERSONAL_WORDS:
        return _PERSONAL_WORDS[joined]
    for word in words:
        if word in _PERSONAL_WORDS:
            return _PERSONAL_WORDS[word]
    for pair, kind in _PERSONAL_PAIRS.items():
        if any(tuple(words[i : i + 2]) == pair for i in range(len(words) - 1)):
            return kind
    return None


def _nir_valid(match: re.Match[str]) -> bool:
    sex, year, month, department, commune, order, key = match.groups()
    if key is None:
        return int(month) <= 12 and sex in "12"
    digits = f"{sex}{year}{month}{department}{commune}{order}".upper()
    digits = digits.replace("2A", "19").replace("2B", "18")
    return 97 - int(digits) % 97 == int(key)


def _iban_valid(text: str) -> bool:
    """Whether ``text`` starts with an IBAN (15 to 34 characters) whose checksum holds;
    the pattern may have run on into the next word, so every length is tried."""
    compact = text.replace(" ", "")
    for length in range(15, min(len(compact), 34) + 1):
        candidate = compact[:length]
        rearranged = candidate[4:] + candidate[:4]
        if int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1:
            return True
    return False


def _old_date(match: re.Match[str], limit: date) -> bool:
    year = match.group("y1") or match.group("y2")
    month = match.group("m1") or match.group("m2")
    day = match.group("d1") or match.group("d2")
    try:
        found = date(int(year), int(month), int(day))
    except ValueError:
        return False
    return date(1900, 1, 1) <= found <= limit


def _value_kind(text: str, limit: date) -> str | None:
    if any(_nir_valid(m) for m in _NIR.finditer(text)):
        return "NIR"
    if any(_iban_valid(m.group(1)) for m in _IBAN.finditer(text.upper())):
        return "IBAN"
    if _EMAIL.search(text):
        return "adresse électronique"
    if _PHONE.search(text):
        return "téléphone"
    if any(_old_date(m, limit) for m in _DATE.finditer(text)):
        return "date de naissance"
    return None


def personal_findings(
    body: Any, *, on: date | None = None, schema: str | None = None
) -> list[tuple[str, str]]:
    """Every ``(JSON path, kind)`` of ``body`` that looks personal (kind in French), outside
    the public contact points of ``schema``."""
    day = on or today()
    limit = date(day.year - _BIRTH_DATE_AGE_YEARS, 1, 1)
    return [
        (path, kind)
        for path, kind in _walk(body, "$", limit)
        if not is_public_contact(schema, path)
    ]


def _walk(node: Any, path: str, limit: date) -> Iterator[tuple[str, str]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            child = f"{path}.{key}"
            kind = _key_kind(str(key))
            if kind is not None and value not in (None, "", [], {}):
                yield child, kind
                continue
            yield from _walk(value, child, limit)
    elif isinstance(node, list | tuple):
        for index, item in enumerate(node):
            yield from _walk(item, f"{path}[{index}]", limit)
    elif isinstance(node, str):
        kind = _value_kind(node, limit)
        if kind is not None:
            yield path, kind


def find_personal_fields(body: Any) -> list[str]:
    """The JSON paths of ``body`` that hold or look like personal data (empty: all clear)."""
    return [path for path, _ in personal_findings(body)]


def ensure_no_personal_data(document: Document | Mapping[str, Any]) -> None:
    """PersonalDataError (a FatalSyncError) if the document carries personal data."""
    body = document.body if isinstance(document, Document) else document
    schema = document.schema if isinstance(document, Document) else None
    findings = personal_findings(body, schema=schema)
    if not findings:
        return
    where = document.key if isinstance(document, Document) else "le document"
    shown = ", ".join(f"{path} ({kind})" for path, kind in findings[:5])
    more = f" et {len(findings) - 5} autre(s)" if len(findings) > 5 else ""
    raise PersonalDataError(
        f"{where} n'est pas envoyé : il contient des données personnelles à {shown}{more}",
        paths=[path for path, _ in findings],
    )
