"""Fields of published documents that hold an organisation's public contact points.

A training catalogue must say where a session takes place, where to register and whom to
call: the training body's addresses, its service's e-mail and phone, as the CAE already
publishes them in its LHÉO feed for its Carif-Oref. They look like personal data to the
client's guard (an address, an e-mail) but are not a person's: the guard lets exactly these
paths through, and nothing else in the document (a trainee's name has no field at all).
"""

from __future__ import annotations

import re

__all__ = ["PUBLIC_CONTACT_FIELDS", "is_public_contact"]

_FORMATION = r"^\$\.formations\[\d+\]"
_ACTION = _FORMATION + r"\.actions\[\d+\]"
PUBLIC_CONTACT_FIELDS: dict[str, re.Pattern[str]] = {
    "training-catalogue": re.compile(
        "|".join(
            [
                _FORMATION + r"\.contact",
                _FORMATION + r"\.organisme_responsable\.(nom|adresse|contact)",
                _ACTION + r"\.lieux\[\d+\]",
                _ACTION + r"\.sessions\[\d+\]\.adresse_inscription",
            ]
        )
    ),
}
"""Per schema: the JSON paths (and everything under them) that are public contact points."""


def is_public_contact(schema: str | None, path: str) -> bool:
    """Whether ``path`` of a ``schema`` document lies in a public contact point."""
    pattern = PUBLIC_CONTACT_FIELDS.get(schema or "")
    if pattern is None:
        return False
    match = pattern.match(path)
    return match is not None and path[match.end() : match.end() + 1] in ("", ".", "[")
