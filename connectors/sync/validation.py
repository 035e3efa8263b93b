"""Local validation with the schemas the hub publishes, fetched once and cached with ETags.

A document is checked against the version of its schema this installation's contract was
written for (the version it is then sent as), as the hub publishes it; only when the hub does
not publish that version is its latest asked for, with ``If-None-Match`` on every run (the hub
answers 304 while it has not changed). A published version, and those it refers to by ``$id``
(code lists: ``https://cae-hub.fr/schemas/code-trade/1.0.0.json``), never change, so a cached
copy is used without asking. Messages are the hub's own French ones.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urldefrag, urljoin

import jsonschema_rs

from cae_contract.messages import MessageContext
from cae_contract.refs import BASE_URI, schema_refs
from cae_contract.registry import SchemaRegistry, get_registry
from connectors.sync.client import HubClient
from connectors.sync.errors import HubFailed
from connectors.sync.state import SyncState


def _code_lists(documents: Mapping[str, Mapping[str, Any]]) -> dict[frozenset[str], str]:
    """Code lists (an ``anyOf`` of ``const``) by their codes, for « not a code of list X »."""
    lists: dict[frozenset[str], str] = {}
    for document in documents.values():
        branches = document.get("anyOf")
        if (
            isinstance(branches, list)
            and branches
            and all(isinstance(b, dict) and "const" in b for b in branches)
        ):
            lists[frozenset(str(b["const"]) for b in branches)] = str(document.get("title", ""))
    return lists


def _no_network(uri: str) -> Any:
    raise ValueError(f"{uri} n'a pas été fourni par le hub")


class LocalValidator:
    """Validators for the schemas documents name, built from what the hub serves."""

    def __init__(
        self, client: HubClient, state: SyncState, *, contract: SchemaRegistry | None = None
    ) -> None:
        self._client = client
        self._contract = contract or get_registry()
        self._state = state
        self._documents: dict[str, dict[str, Any]] = {}  # by $id
        self._validators: dict[str, tuple[jsonschema_rs.Draft202012Validator, str] | None] = {}
        self._messages = MessageContext({})

    def validate(self, schema: str, body: Any) -> list[tuple[str, str]] | None:
        """``(path, message)`` for each error; None when the hub publishes no such schema."""
        compiled = self._validator(schema)
        if compiled is None:
            return None
        validator, uri = compiled
        if validator.is_valid(body):
            return []
        items = self._messages.errors(validator.iter_errors(body), self._documents[uri])
        return [(item.path, item.message) for item in items]

    # -- fetching -----------------------------------------------------------------------------

    def _validator(self, schema: str) -> tuple[jsonschema_rs.Draft202012Validator, str] | None:
        if schema not in self._validators:
            self._validators[schema] = self._build(schema)
        return self._validators[schema]

    def version(self, schema: str) -> str | None:
        """The version of ``schema`` documents are checked against (and sent as)."""
        compiled = self._validator(schema)
        if compiled is None:
            return None
        _, _, file = compiled[1].removeprefix(BASE_URI).partition("/")
        version = file.removesuffix(".json")
        return None if version == "latest" else version

    def _build(self, schema: str) -> tuple[jsonschema_rs.Draft202012Validator, str] | None:
        # The version this installation's contract was written for, while the hub publishes
        # it (a hub a major ahead keeps accepting it for a while); else the hub's latest.
        root = None
        if schema in self._contract.names():
            own = self._contract.latest(schema).version
            root = self._fetch(schema, own, revalidate=False)
        if root is None:
            root = self._fetch(schema, "latest", revalidate=True)
        if root is None:
            return None
        uri = str(root.get("$id") or f"{BASE_URI}{schema}/latest.json")
        self._load_references(uri, root)
        try:
            registry = jsonschema_rs.Registry(list(self._documents.items()))
            validator = jsonschema_rs.Draft202012Validator(
                root,
                registry=registry,
                base_uri=uri,
                validate_formats=True,
                retriever=_no_network,
            )
        except (ValueError, jsonschema_rs.ValidationError) as exc:
            raise HubFailed(
                f"le schéma « {schema} » servi par le hub est inutilisable ; "
                "signalez-le à la fédération",
                detail=str(exc),
            ) from None
        # The code lists known so far, for « not a code of list X »: built once per schema.
        self._messages = MessageContext(_code_lists(self._documents))
        return validator, uri

    def _load_references(self, uri: str, document: dict[str, Any]) -> None:
        self._documents[uri] = document
        pending = [(uri, document)]
        while pending:
            base, current = pending.pop()
            for ref in schema_refs(current):
                target, _ = urldefrag(urljoin(base, ref))
                if not target or target in self._documents or not target.startswith(BASE_URI):
                    continue
                name, _, file = target.removeprefix(BASE_URI).partition("/")
                fetched = self._fetch(name, file.removesuffix(".json"), revalidate=False)
                if fetched is None:
                    raise HubFailed(
                        f"le schéma {target}, auquel renvoie {base}, n'est pas publié par le hub ; "
                        "signalez-le à la fédération"
                    )
                self._documents[target] = fetched
                pending.append((target, fetched))

    def _fetch(self, name: str, version: str, *, revalidate: bool) -> dict[str, Any] | None:
        address = f"{name}/{version}"
        cached = self._state.cached_schema(address)
        if cached is not None and not revalidate:
            return self._parse(address, cached.body)
        answer = self._client.fetch_schema(name, version, etag=cached.etag if cached else None)
        if answer is None:
            return None
        if answer.status == 304 and cached is not None:
            return self._parse(address, cached.body)
        if answer.body is None:
            raise HubFailed(f"le hub n'a pas renvoyé le schéma « {address} » demandé")
        document = self._parse(address, answer.body)
        self._state.store_schema(address, answer.etag, answer.body)
        return document

    @staticmethod
    def _parse(address: str, body: bytes) -> dict[str, Any]:
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise HubFailed(f"le schéma « {address} » servi par le hub n'est pas un JSON lisible")
        return document
