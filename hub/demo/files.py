"""The demonstration folder: one sub-folder per CAE with its files and its sync configuration.

    <demo folder>/
      LISEZMOI.txt           what this folder is
      acces.txt              web logins of the demonstration (0600)
      <slug>/
        exports/ or tableaux/  the CAE's own files (with personal data, as at the CAE)
        synchro.toml           the sync client's configuration
        jeton                  the CAE's token (0600)
        etat/                  the sync client's local state

A marker file tells the folder is ours, so that a new demonstration may replace it and
nothing else is ever deleted.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.config import Settings
from hub.demo.endi_exports import write_endi_exports
from hub.demo.federation import DemoCae
from hub.demo.sheet_exports import write_sheets
from hub.demo.writing import write_toml

MARKER = ".cae-hub-demo"
CONFIG_NAME = "synchro.toml"
TOKEN_NAME = "jeton"  # noqa: S105 - a file name, not a secret
STATE_NAME = "etat"
NIGHTLY = "30 2 * * *"


class DemoFolderError(Exception):
    """The demonstration folder cannot be used; the message says why, in French."""


def demo_folder(settings: Settings) -> Path:
    """The configured folder, else ``demo/`` beside the SQLite database, else ./var/demo."""
    if settings.demo_dir is not None:
        return settings.demo_dir.resolve()
    if settings.is_sqlite:
        database = settings.database_url.split("///", 1)[-1]
        if database and database != ":memory:" and not database.startswith("file:"):
            return Path(database).resolve().parent / "demo"
    return (Path("var") / "demo").resolve()


def prepare_folder(folder: Path, *, fresh: bool) -> None:
    """Create the folder; with ``fresh``, empty a previous demonstration's folder first."""
    if folder.exists() and not folder.is_dir():
        raise DemoFolderError(f"{folder} existe et n'est pas un dossier")
    if folder.exists() and any(folder.iterdir()) and not (folder / MARKER).exists():
        raise DemoFolderError(
            f"le dossier {folder} n'est pas vide et ne vient pas d'une démo : choisissez un "
            "autre dossier (HUB_DEMO_DIR)"
        )
    if fresh and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("dossier de démonstration de cae-hub\n", encoding="utf-8")
    (folder / "LISEZMOI.txt").write_text(README, encoding="utf-8")


README = """\
Fédération de démonstration de cae-hub
======================================

Chaque dossier est une CAE inventée. On y trouve ses propres fichiers, tels que sa gestion
les exporte (exports/ pour enDI, tableaux/ pour un tableur) : ils contiennent des données
personnelles inventées (noms, dates de naissance, NIR, adresses), qui ne quittent jamais la
CAE. Le connecteur les lit, compte sur place et n'envoie au hub que des cellules agrégées.

  synchro.toml   configuration du client de synchronisation de la CAE
  jeton          jeton d'accès de la CAE au hub (lisible par vous seul)
  etat/          état local de la synchronisation (ce qui a déjà été envoyé)

Relancer la synchronisation d'une CAE, hub démarré :

  cae-hub sync --config <dossier de la CAE>/synchro.toml --once
"""


@dataclass(frozen=True)
class CaeFiles:
    folder: Path
    config: Path
    token: Path
    connector: str


def write_cae_files(cae: DemoCae, folder: Path, *, seed: int, hub_url: str) -> CaeFiles:
    """Write the files of ``cae`` (its exports and its sync configuration) under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    connector = cae.profile.source.connector
    if connector == "endi":
        settings = write_endi_exports(cae, folder, seed=seed)
    else:
        settings = write_sheets(cae, folder)
    config = folder / CONFIG_NAME
    write_toml(
        config,
        [
            f"Synchronisation de « {cae.name} » (SIREN {cae.siren}) avec le hub de la fédération.",
            f"Lancer à la main : cae-hub sync --config {config} --once",
        ],
        {
            "hub": {"url": hub_url, "token_file": TOKEN_NAME},
            "connector": {"name": connector, "config": _plain(settings)},
            "sync": {
                "data_dir": STATE_NAME,
                "periods": [str(p) for p in cae.periods()],
                "schedule": NIGHTLY,
            },
        },
    )
    return CaeFiles(folder, config, folder / TOKEN_NAME, connector)


def _plain(value: Any) -> Any:
    """Settings with decimals as plain numbers, as TOML holds them."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if hasattr(value, "is_finite"):  # Decimal
        return int(value) if value == value.to_integral_value() else float(value)
    return value
