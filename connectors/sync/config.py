"""The sync client's configuration: one TOML file per CAE.

Every mistake is a ``ConfigError`` whose French message names the key to fix
(``hub.url``, ``connector.name``, ``sync.periods[1]``…). The token never appears in a message.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlsplit

from cae_contract.catalogue import get_catalogue
from cae_contract.continuity import Loss
from cae_contract.periods import Period, check_reportable, today
from connectors.sdk.errors import ConfigError
from connectors.sync.schedule import cron_trigger

DEFAULT_JITTER_S = 900
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")

_KEYS: dict[str, set[str]] = {
    "": {"hub", "connector", "sync"},
    "hub": {
        "url",
        "token",
        "token_file",
        "token_env",
        "timeout",
        "max_attempts",
        "backoff",
        "max_retry_after",
        "insecure_http",
    },
    "connector": {"name", "config"},
    "sync": {"data_dir", "periods", "schedule", "jitter", "no_longer_sent"},
}


@dataclass(frozen=True)
class HubSettings:
    """Where the hub is, how to prove who we are, and how patiently to call it."""

    url: str
    token: str = field(repr=False)
    timeout: float = 30.0
    max_attempts: int = 5
    backoff: float = 1.0
    max_retry_after: float = 300.0


@dataclass(frozen=True)
class ConnectorSettings:
    name: str
    config: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NoLongerSent:
    """An indicator, or some of its breakdowns, that the CAE has stopped sending on purpose:
    ``revenue_eur`` (the whole indicator) or ``entrepreneurs.sex`` (every breakdown by sex)."""

    indicator: str
    dims: frozenset[str] = frozenset()

    def covers(self, loss: Loss) -> bool:
        if loss.indicator != self.indicator:
            return False
        if not self.dims:
            return True
        return loss.breakdown is not None and self.dims <= loss.dims

    def __str__(self) -> str:
        return self.indicator + (f".{','.join(sorted(self.dims))}" if self.dims else "")


@dataclass(frozen=True)
class SyncConfig:
    """A whole configuration, checked. ``base_dir`` is the folder of the file it came from."""

    hub: HubSettings
    connector: ConnectorSettings
    data_dir: Path
    base_dir: Path
    periods: tuple[str, ...] | None = None
    schedule: str | None = None
    jitter: int = DEFAULT_JITTER_S
    no_longer_sent: tuple[NoLongerSent, ...] = ()

    def periods_on(self, day: date | None = None) -> list[str]:
        """The periods to send: those configured, else the previous and current semesters."""
        if self.periods is not None:
            return list(self.periods)
        return default_periods(day)


def default_periods(day: date | None = None) -> list[str]:
    """The previous and the current semester on ``day`` (today in France by default)."""
    day = day or today()
    current = Period.semester_of(day)
    return [str(current.previous()), str(current)]


def load_config(path: Path, *, environ: Mapping[str, str] | None = None) -> SyncConfig:
    """Read and check the TOML file at ``path``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"fichier de configuration introuvable : {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"{path} est un dossier, pas un fichier de configuration") from None
    except OSError as exc:
        raise ConfigError(f"fichier de configuration illisible : {path} ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path} n'est pas un fichier texte UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.search(str(exc))
        where = f" (ligne {found.group(1)}, colonne {found.group(2)})" if found else ""
        raise ConfigError(
            f"{path} : syntaxe TOML incorrecte{where} ; vérifiez les guillemets, les crochets "
            "des sections et les signes « = »",
            detail=str(exc),
        ) from None
    return parse_config(
        data, base_dir=path.resolve().parent, environ=os.environ if environ is None else environ
    )


def parse_config(
    data: Mapping[str, Any], *, base_dir: Path, environ: Mapping[str, str]
) -> SyncConfig:
    """Check an already parsed configuration; relative paths resolve against ``base_dir``."""
    _no_unknown_keys(data)
    hub = _table(data, "hub", required=True)
    connector = _table(data, "connector", required=True)
    sync = _table(data, "sync", required=True)

    url = _url(hub)
    name = _string(connector, "connector.name", "name", required=True)
    assert name is not None
    connector_config = _table(connector, "config", where="connector.config")

    return SyncConfig(
        hub=HubSettings(
            url=url,
            token=_token(hub, base_dir=base_dir, environ=environ),
            timeout=_number(hub, "hub.timeout", default=30.0, low=0.1, high=600),
            max_attempts=int(
                _number(hub, "hub.max_attempts", default=5, low=1, high=20, whole=True)
            ),
            backoff=_number(hub, "hub.backoff", default=1.0, low=0, high=300),
            max_retry_after=_number(hub, "hub.max_retry_after", default=300.0, low=0, high=3600),
        ),
        connector=ConnectorSettings(name=name, config=connector_config),
        data_dir=_path(sync, "data_dir", base_dir=base_dir),
        base_dir=base_dir,
        periods=_periods(sync),
        schedule=_schedule(sync),
        jitter=int(
            _number(sync, "sync.jitter", default=DEFAULT_JITTER_S, low=0, high=86_400, whole=True)
        ),
        no_longer_sent=_no_longer_sent(sync),
    )


# -- readers ---------------------------------------------------------------------------------


def _no_unknown_keys(data: Mapping[str, Any]) -> None:
    for section, allowed in _KEYS.items():
        table = data if not section else data.get(section)
        if not isinstance(table, Mapping):
            continue
        for key in table:
            if key not in allowed:
                where = f"{section}.{key}" if section else key
                expected = ", ".join(sorted(allowed))
                raise ConfigError(f"clé inconnue « {where} » ; clés possibles ici : {expected}")


def _table(
    data: Mapping[str, Any], key: str, *, required: bool = False, where: str | None = None
) -> dict[str, Any]:
    where = where or key
    value = data.get(key)
    if value is None:
        if required:
            raise ConfigError(f"section [{where}] manquante dans la configuration")
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} : une table TOML est attendue ([{where}])")
    return dict(value)


def _string(
    table: Mapping[str, Any], where: str, key: str, *, required: bool = False
) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{where} manquant")
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} : un texte non vide est attendu")
    return value.strip()


def _number(
    table: Mapping[str, Any],
    where: str,
    *,
    default: float,
    low: float,
    high: float,
    whole: bool = False,
) -> float:
    value = table.get(where.rpartition(".")[2], default)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (whole and not isinstance(value, int))
    ):
        raise ConfigError(f"{where} : {'un nombre entier' if whole else 'un nombre'} est attendu")
    number = float(value)
    if not low <= number <= high:
        raise ConfigError(f"{where} : une valeur entre {low:g} et {high:g} est attendue")
    return number


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url(hub: Mapping[str, Any]) -> str:
    url = _string(hub, "hub.url", "url", required=True)
    assert url is not None
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(
            f"hub.url : adresse web attendue, par exemple https://hub.cae-hub.fr (reçu « {url} »)"
        )
    if parts.query or parts.fragment:
        raise ConfigError("hub.url : l'adresse du hub ne prend ni « ? » ni « # »")
    insecure = hub.get("insecure_http", False)
    if not isinstance(insecure, bool):
        raise ConfigError("hub.insecure_http : true ou false attendu")
    if parts.scheme == "http" and not (insecure or _is_loopback(parts.hostname)):
        raise ConfigError(
            "hub.url : le jeton ne circule qu'en https:// (http:// seulement pour un hub local, "
            "ou avec hub.insecure_http = true sur un réseau de confiance)"
        )
    return url.rstrip("/")


def _token(hub: Mapping[str, Any], *, base_dir: Path, environ: Mapping[str, str]) -> str:
    given = [key for key in ("token", "token_file", "token_env") if key in hub]
    if len(given) != 1:
        raise ConfigError(
            "hub : indiquez le jeton par une seule des clés token, token_file ou token_env"
            + (f" (trouvé : {', '.join(given)})" if given else "")
        )
    key = given[0]
    if key == "token":
        token = _string(hub, "hub.token", "token", required=True)
    elif key == "token_env":
        variable = _string(hub, "hub.token_env", "token_env", required=True)
        assert variable is not None
        token = environ.get(variable, "").strip()
        if not token:
            raise ConfigError(f"hub.token_env : la variable d'environnement {variable} est vide")
    else:
        token = _read_token_file(hub, base_dir=base_dir, environ=environ)
    assert token is not None
    if any(ch.isspace() for ch in token) or not token.isprintable():
        raise ConfigError(f"hub.{key} : le jeton contient des espaces ou des caractères invisibles")
    return token


def _read_token_file(hub: Mapping[str, Any], *, base_dir: Path, environ: Mapping[str, str]) -> str:
    text = _string(hub, "hub.token_file", "token_file", required=True)
    assert text is not None
    try:
        # ${CREDENTIALS_DIRECTORY}/token: where systemd's LoadCredential= puts the secret.
        expanded = Template(text).substitute(environ)
    except KeyError as exc:
        raise ConfigError(
            f"hub.token_file : la variable d'environnement {exc.args[0]} n'est pas définie"
        ) from None
    except ValueError:
        raise ConfigError("hub.token_file : « $ » mal placé (écrivez ${VARIABLE})") from None
    path = Path(expanded).expanduser()
    path = path if path.is_absolute() else base_dir / path
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(f"hub.token_file : fichier introuvable : {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "texte UTF-8 attendu"
        raise ConfigError(f"hub.token_file : fichier illisible : {path} ({reason})") from None
    if not token:
        raise ConfigError(f"hub.token_file : le fichier {path} est vide")
    return token


def _path(table: Mapping[str, Any], key: str, *, base_dir: Path) -> Path:
    text = _string(table, f"sync.{key}", key, required=True)
    assert text is not None
    path = Path(text).expanduser()
    return path if path.is_absolute() else base_dir / path


def _periods(sync: Mapping[str, Any]) -> tuple[str, ...] | None:
    value = sync.get("periods")
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise ConfigError(
            'sync.periods : une liste de périodes est attendue, par exemple ["2025-S2", "2026-S1"]'
        )
    return tuple(check_periods(value, name=lambda index: f"sync.periods[{index}]"))


def check_periods(values: Sequence[object], *, name: Callable[[int], str]) -> list[str]:
    """The periods to send, each written ``AAAA-S1``, ``AAAA-S2`` or ``AAAA`` and already begun,
    without repeats; else ConfigError naming the wrong one by ``name(index)``."""
    periods: list[str] = []
    for index, item in enumerate(values):
        if not isinstance(item, str):
            raise ConfigError(
                f"{name(index)} : une période entre guillemets est attendue (« 2026-S1 »)"
            )
        try:
            period = Period.parse(item.strip())
            check_reportable(period, earliest_year=2000)
        except ValueError as exc:
            raise ConfigError(f"{name(index)} : {exc}") from None
        if str(period) not in periods:
            periods.append(str(period))
    return periods


def _no_longer_sent(sync: Mapping[str, Any]) -> tuple[NoLongerSent, ...]:
    value = sync.get("no_longer_sent", [])
    example = '["revenue_eur", "entrepreneurs.sex"]'
    if not isinstance(value, list):
        raise ConfigError(
            f"sync.no_longer_sent : une liste d'indicateurs est attendue, par exemple {example}"
        )
    if not value:
        return ()

    indicators = {i.code: i for i in get_catalogue().reported()}
    found: list[NoLongerSent] = []
    for index, item in enumerate(value):
        where = f"sync.no_longer_sent[{index}]"
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(
                f"{where} : un indicateur entre guillemets est attendu (« revenue_eur », "
                "ou « entrepreneurs.sex » pour une ventilation)"
            )
        code, dot, dims_text = item.strip().partition(".")
        indicator = indicators.get(code)
        if indicator is None:
            raise ConfigError(
                f"{where} : indicateur inconnu « {code} » ; indicateurs possibles : "
                + ", ".join(indicators)
            )
        dims = frozenset(d.strip() for d in dims_text.split(",") if d.strip())
        unknown = sorted(dims - set(indicator.dims))
        allowed = ", ".join(indicator.dims) or "aucune"
        if unknown:
            raise ConfigError(
                f"{where} : « {code} » ne se ventile pas par « {', '.join(unknown)} » ; "
                f"ventilations possibles : {allowed}"
            )
        if dot and not dims:
            raise ConfigError(
                f"{where} : ventilation manquante après « {code}. » ; ventilations possibles : "
                f"{allowed}"
            )
        entry = NoLongerSent(code, dims)
        if entry not in found:
            found.append(entry)
    return tuple(found)


def _schedule(sync: Mapping[str, Any]) -> str | None:
    text = _string(sync, "sync.schedule", "schedule")
    if text is not None:
        check_cron(text, where="sync.schedule")
    return text


def check_cron(expression: str, *, where: str) -> None:
    """Refuse a crontab expression APScheduler cannot read, naming ``where``."""

    try:
        cron_trigger(expression)
    except ValueError:
        raise ConfigError(
            f"{where} : expression cron invalide « {expression} » ; 5 champs attendus : "
            "minute heure jour-du-mois mois jour-de-la-semaine (par exemple « 0 2 * * * »)"
        ) from None
