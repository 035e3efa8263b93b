"""The configuration file: what it accepts, and a French message naming the key otherwise."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from connectors.sdk.errors import ConfigError
from connectors.sync.config import default_periods, load_config

BASE = """
[hub]
url = "https://hub.cae-hub.fr/"
token_file = "secret/token"

[connector]
name = "spreadsheet"

[connector.config]
file = "export.csv"
layout = "cells"

[sync]
data_dir = "etat"
"""


def _write(folder: Path, text: str) -> Path:
    (folder / "secret").mkdir(exist_ok=True)
    (folder / "secret" / "token").write_text("caeh_secret-de-test\n", encoding="utf-8")
    path = folder / "sync.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _refused(folder: Path, text: str, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as raised:
        load_config(_write(folder, text), environ=environ or {})
    assert "caeh_secret-de-test" not in raised.value.message
    return raised.value.message


def test_a_complete_configuration_with_relative_paths(tmp_path: Path) -> None:
    text = BASE + 'periods = ["2025-S2", "2025-S1", "2025-S2"]\nschedule = "30 1 * * 1-5"\n'
    config = load_config(_write(tmp_path, text), environ={})
    assert config.hub.url == "https://hub.cae-hub.fr"
    assert config.hub.token == "caeh_secret-de-test"
    assert "caeh_secret" not in repr(config)
    assert (config.hub.timeout, config.hub.max_attempts, config.hub.backoff) == (30.0, 5, 1.0)
    assert config.connector.name == "spreadsheet"
    assert dict(config.connector.config) == {"file": "export.csv", "layout": "cells"}
    assert config.data_dir == tmp_path.resolve() / "etat"
    assert config.base_dir == tmp_path.resolve()
    assert config.periods == ("2025-S2", "2025-S1")
    assert config.schedule == "30 1 * * 1-5"
    assert config.jitter == 900


def test_default_periods_are_the_previous_and_current_semesters() -> None:
    assert default_periods(date(2026, 3, 15)) == ["2025-S2", "2026-S1"]
    assert default_periods(date(2026, 7, 1)) == ["2026-S1", "2026-S2"]
    assert default_periods(date(2026, 6, 30)) == ["2025-S2", "2026-S1"]


def test_token_from_an_environment_variable_or_a_systemd_credential(tmp_path: Path) -> None:
    by_env = BASE.replace('token_file = "secret/token"', 'token_env = "CAE_HUB_TOKEN"')
    config = load_config(_write(tmp_path, by_env), environ={"CAE_HUB_TOKEN": " caeh_env \n"})
    assert config.hub.token == "caeh_env"

    credential = BASE.replace('"secret/token"', '"${CREDENTIALS_DIRECTORY}/token"')
    environ = {"CREDENTIALS_DIRECTORY": str(tmp_path / "secret")}
    assert load_config(_write(tmp_path, credential), environ=environ).hub.token == (
        "caeh_secret-de-test"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("[sync]", "[synch]"),
            "clé inconnue « synch » ; clés possibles ici : connector, hub, sync",
        ),
        (("url =", "adresse ="), "clé inconnue « hub.adresse » ; clés possibles ici : "),
        (('data_dir = "etat"', ""), "sync.data_dir manquant"),
        (('name = "spreadsheet"', "name = 3"), "connector.name : un texte non vide est attendu"),
        (("[connector]", "[connecteur]"), "clé inconnue « connecteur »"),
        (
            ('"https://hub.cae-hub.fr/"', '"hub.cae-hub.fr"'),
            "hub.url : adresse web attendue, par exemple https://hub.cae-hub.fr",
        ),
        (
            ('"https://hub.cae-hub.fr/"', '"http://hub.cae-hub.fr"'),
            "hub.url : le jeton ne circule qu'en https://",
        ),
        (
            ('token_file = "secret/token"', 'token_file = "secret/token"\ntoken = "x"'),
            "hub : indiquez le jeton par une seule des clés token, token_file ou token_env "
            "(trouvé : token, token_file)",
        ),
        (('"secret/token"', '"absent"'), "hub.token_file : fichier introuvable : "),
        (
            ('token_file = "secret/token"', 'token_env = "CAE_HUB_TOKEN"'),
            "hub.token_env : la variable d'environnement CAE_HUB_TOKEN est vide",
        ),
        (
            ('"secret/token"', '"${CREDENTIALS_DIRECTORY}/token"'),
            "hub.token_file : la variable d'environnement CREDENTIALS_DIRECTORY n'est pas définie",
        ),
        (
            ("[sync]", "[sync]\nperiods = ['2025-S1', '2025-S3']"),
            "sync.periods[1] : « 2025-S3 » n'est pas une période",
        ),
        (
            ("[sync]", "[sync]\nperiods = ['2099-S1']"),
            "sync.periods[0] : la période 2099-S1 n'a pas encore commencé",
        ),
        (
            ("[sync]", "[sync]\nschedule = '0 2 * *'"),
            "sync.schedule : expression cron invalide « 0 2 * * » ; 5 champs attendus",
        ),
        (
            ("[sync]", "[sync]\nschedule = '0 25 * * *'"),
            "sync.schedule : expression cron invalide « 0 25 * * * »",
        ),
        (("[hub]", "[hub]\ntimeout = 'long'"), "hub.timeout : un nombre est attendu"),
        (("[hub]", "[hub]\nmax_attempts = 2.5"), "hub.max_attempts : un nombre entier est attendu"),
        (
            ("[sync]", "[sync]\njitter = -1"),
            "sync.jitter : une valeur entre 0 et 86400 est attendue",
        ),
        (
            ("[connector.config]", "[connector.configuration]"),
            "clé inconnue « connector.configuration »",
        ),
    ],
)
def test_mistakes_name_the_key_to_fix(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in BASE
    assert _refused(tmp_path, BASE.replace(old, new, 1)).startswith(message)


def test_a_missing_or_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="fichier de configuration introuvable"):
        load_config(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="est un dossier"):
        load_config(tmp_path)
    (tmp_path / "latin1.toml").write_bytes("[hub]\nurl = 'é'\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="n'est pas un fichier texte UTF-8"):
        load_config(tmp_path / "latin1.toml")


def test_a_missing_section(tmp_path: Path) -> None:
    text = BASE.split("[sync]")[0]
    assert _refused(tmp_path, text) == "section [sync] manquante dans la configuration"


def test_the_example_configuration_is_valid(tmp_path: Path) -> None:
    from connectors.sdk.registry import load

    (tmp_path / "token").write_text("caeh_exemple\n", encoding="utf-8")
    example = Path(__file__).resolve().parents[2] / "deploy" / "sync.example.toml"
    config = load_config(example, environ={"CREDENTIALS_DIRECTORY": str(tmp_path)})
    assert config.hub.token == "caeh_exemple"
    assert config.data_dir == Path("/var/lib/cae-hub-sync")
    assert config.schedule == "0 2 * * *"
    assert config.periods is None
    connector = load(config.connector.name)(config.connector.config, base_dir=config.base_dir)
    assert connector.label.startswith("spreadsheet/")


def test_indicators_no_longer_sent_are_read_and_checked(tmp_path: Path) -> None:
    from cae_contract.continuity import Loss
    from connectors.sync.config import NoLongerSent

    assert load_config(_write(tmp_path, BASE), environ={}).no_longer_sent == ()
    text = BASE + 'no_longer_sent = ["revenue_eur", "entrepreneurs.sex", "revenue_eur"]\n'
    config = load_config(_write(tmp_path, text), environ={})
    assert config.no_longer_sent == (
        NoLongerSent("revenue_eur"),
        NoLongerSent("entrepreneurs", frozenset({"sex"})),
    )
    whole, by_sex = config.no_longer_sent
    assert whole.covers(Loss("revenue_eur")) and whole.covers(Loss("revenue_eur", "trade"))
    assert by_sex.covers(Loss("entrepreneurs", "sex"))
    assert by_sex.covers(Loss("entrepreneurs", "contract,sex"))
    assert not by_sex.covers(Loss("entrepreneurs", "contract"))
    assert not by_sex.covers(Loss("entrepreneurs"))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('no_longer_sent = "revenue_eur"', "sync.no_longer_sent : une liste d'indicateurs"),
        ("no_longer_sent = [3]", "sync.no_longer_sent[0] : un indicateur entre guillemets"),
        (
            'no_longer_sent = ["entrepreneurs", "chiffre"]',
            "sync.no_longer_sent[1] : indicateur inconnu « chiffre » ; indicateurs possibles : "
            "entrepreneurs, associates,",
        ),
        (
            'no_longer_sent = ["revenue_eur.sex"]',
            "sync.no_longer_sent[0] : « revenue_eur » ne se ventile pas par « sex » ; "
            "ventilations possibles : trade, departement",
        ),
        (
            'no_longer_sent = ["training_hours."]',
            "ventilation manquante après « training_hours. » ; ventilations possibles : aucune",
        ),
    ],
)
def test_a_wrong_indicator_no_longer_sent_is_named(tmp_path: Path, line: str, message: str) -> None:
    assert message in _refused(tmp_path, BASE + line + "\n")
