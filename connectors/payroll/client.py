"""The hub's payroll endpoints, seen from the CAE: plain calls, each refusal turned into the
one French line the hub's problem gives."""

from __future__ import annotations

from typing import Any

import requests

from cae_contract.cli import fail

USER_AGENT = "cae-hub-paie/1"


class PayrollHub:
    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float | None = 60.0,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self.http = session or requests.Session()

    def call(self, method: str, path: str, *, json: Any = None, missing_ok: bool = False) -> Any:
        try:
            options: dict[str, Any] = {"timeout": self.timeout} if self.timeout else {}
            response = self.http.request(
                method,
                f"{self.url}/v1/delegations{path}",
                json=json,
                headers={"Authorization": f"Bearer {self._token}", "User-Agent": USER_AGENT},
                **options,
            )
        except requests.RequestException:
            fail(f"hub injoignable : {self.url} ; vérifiez hub.url et le réseau")
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {}
            detail = str(problem.get("detail") or f"erreur {response.status_code}")
            where = problem.get("errors") or []
            suffix = f" ({where[0]['path']} : {where[0]['message']})" if where else ""
            fail(f"refusé par le hub : {detail}{suffix}")
        return response.json()
