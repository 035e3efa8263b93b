"""cae-hub installed as its users install it: a wheel built from the tree, put into fresh
virtual environments in empty folders, run from there — never from the checkout.

The hub's operator installs ``cae-hub[hub]``; a CAE installs plain ``cae-hub`` (the shared
contract, the connectors and the sync client, without the server's dependencies). One CAE
follows the spreadsheet guide's « Exemple complet » with the client-only installation and
syncs to a hub served from the other installation.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.served import plain_session, register_member, start_hub

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = json.loads((ROOT / "schemas" / "manifest.json").read_text(encoding="utf-8"))


def _run(*command: str | Path, cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "PYTHON"))}
    return subprocess.run(  # noqa: S603 - our own build and install commands
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# What a checkout holds that no build may see (a stale build/ would slip old files in).
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "var", "*.egg-info", "__pycache__", ".*_cache"
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source") / "cae-hub"
    shutil.copytree(ROOT, source, symlinks=True, ignore=NOT_SOURCES)
    dist = tmp_path_factory.mktemp("dist")
    built = _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, source, cwd=dist
    )
    assert built.returncode == 0, built.stderr
    (found,) = dist.glob("cae_hub-*.whl")
    return found


def _venv(folder: Path, requirement: str) -> Path:
    """A fresh virtual environment in ``folder`` with ``requirement`` installed; its bin/."""
    created = _run(sys.executable, "-m", "venv", folder / "venv", cwd=folder)
    assert created.returncode == 0, created.stderr
    bin_dir = folder / "venv" / "bin"
    installed = _run(bin_dir / "python", "-m", "pip", "install", "-q", requirement, cwd=folder)
    assert installed.returncode == 0, installed.stderr
    return bin_dir


@pytest.fixture(scope="module")
def hub_bin(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _venv(tmp_path_factory.mktemp("hub-install"), f"{wheel}[hub]")


@pytest.fixture(scope="module")
def client_bin(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _venv(tmp_path_factory.mktemp("client-install"), str(wheel))


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    folder = tmp_path / "ailleurs"
    folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with plain_session() as session:
        yield session


def test_the_wheel_ships_every_published_schema_and_the_rules(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for relative in PUBLISHED:
        assert f"cae_contract/schemas/{relative}" in names, relative
    assert "cae_contract/schemas/manifest.json" in names
    assert "cae_contract/consistency.toml" in names
    assert "cae_contract/lheo-2.3.xsd" in names
    assert "cae_contract/opco-constructys.toml" in names
    assert "hub/mail/templates/seat_request.html" in names
    assert "connectors/lheo/README.md" in names
    assert "hub/migrations/alembic.ini" in names
    assert not any(name.startswith(("tests/", "bench/")) for name in names)


def test_schemas_check_from_the_installed_hub_counts_every_published_schema(
    hub_bin: Path, empty: Path
) -> None:
    checked = _run(hub_bin / "cae-hub", "schemas", "check", cwd=empty)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == (
        f"{len(PUBLISHED)} schéma(s) publiés vérifiés : tout est conforme"
    )


def test_the_client_installs_without_the_server(client_bin: Path, empty: Path) -> None:
    for server_module in ("fastapi", "sqlalchemy", "sqlmodel", "uvicorn"):
        probe = _run(client_bin / "python", "-c", f"import {server_module}", cwd=empty)
        assert probe.returncode != 0, f"{server_module} est installé avec le client seul"
    checked = _run(client_bin / "cae-hub", "schemas", "check", cwd=empty)
    assert checked.returncode == 0, checked.stderr
    listed = _run(client_bin / "cae-hub", "connectors", "list", cwd=empty)
    assert listed.returncode == 0, listed.stderr
    assert "spreadsheet" in listed.stdout and "endi" in listed.stdout
    # The server's commands say what to install, in one French line, without a traceback.
    refused = _run(client_bin / "cae-hub", "serve", "--port", "8123", cwd=empty)
    assert refused.returncode == 1
    assert refused.stderr.startswith("erreur : la commande « serve » n'est pas installée ici")
    assert "pip install 'cae-hub[hub]'" in refused.stderr
    assert "Traceback" not in refused.stderr


def _guide_example() -> tuple[str, str]:
    """The spreadsheet guide's « Exemple complet »: the register and its configuration."""
    guide = (ROOT / "connectors" / "spreadsheet" / "README.md").read_text(encoding="utf-8")
    section = guide.split("## Exemple complet", 1)[1]
    register = section.split("```text\n", 1)[1].split("```", 1)[0]
    configuration = section.split("```toml\n", 1)[1].split("```", 1)[0]
    return register, configuration


def test_a_cae_syncs_from_the_client_install_to_the_installed_hub(
    hub_bin: Path, client_bin: Path, empty: Path, tmp_path: Path, http: requests.Session
) -> None:
    hub_folder = tmp_path / "hub"
    hub_folder.mkdir()
    with start_hub(hub_folder, command=[str(hub_bin / "cae-hub")]) as hub:
        listed = http.get(f"{hub.base_url}/v1/schemas", timeout=30)
        assert listed.status_code == 200, listed.text
        served = {item["name"] for item in listed.json()}
        assert served == {relative.split("/")[0] for relative in PUBLISHED}

        token = register_member(
            hub, http, admin_token=hub.admin_token(), siren="832451967", name="Coop'Bâtir"
        )
        register, configuration = _guide_example()
        (empty / "suivi_entrepreneurs.csv").write_bytes(register.encode("cp1252"))
        (empty / "token").write_text(token + "\n", encoding="utf-8")
        hub_table = f'[hub]\nurl = "{hub.base_url}"\ntoken_file = "token"\n\n'
        configuration = configuration.replace("[sync]\n", '[sync]\ndata_dir = "etat"\n')
        (empty / "synchro.toml").write_text(hub_table + configuration, encoding="utf-8")

        synced = _run(
            client_bin / "cae-hub", "sync", "--config", "synchro.toml", "--once", cwd=empty
        )
        assert synced.returncode == 0, synced.stdout + synced.stderr
        assert re.search(r"acceptés : 2\b", synced.stdout), synced.stdout

        member = {"Authorization": f"Bearer {token}"}
        for period in ("2025-S2", "2025"):
            report = http.get(f"{hub.base_url}/v1/indicators/reports/{period}", headers=member)
            assert report.status_code == 200, report.text
            entrepreneurs = sum(
                cell["value"]
                for cell in report.json()["cells"]
                if cell["indicator"] == "entrepreneurs" and not cell["dims"]
            )
            assert entrepreneurs == 2


def test_the_image_copies_every_package_it_installs() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    copied: set[str] = set()
    for line in re.findall(r"^COPY (.+)$", dockerfile, flags=re.MULTILINE):
        *sources, _target = [part for part in line.split() if not part.startswith("--")]
        copied.update(source.rstrip("/") for source in sources)
    for needed in ("pyproject.toml", "schemas", "cae_contract", "hub", "connectors"):
        assert needed in copied, f"deploy/Dockerfile ne copie pas {needed}"
    assert re.search(r"pip install .*\[hub\]", dockerfile), "l'image n'installe pas le hub"
