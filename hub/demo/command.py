"""``cae-hub demo``: load the demonstration federation and say where to look.

The demonstration's machinery (the hub it serves, the connectors it runs) is imported when the
command runs, not when ``cae-hub`` lists its commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hub.demo.profiles import DEFAULT_SEED, PROFILES, Size

if TYPE_CHECKING:
    from hub.demo.run import DemoResult


def demo(
    caes: Annotated[
        int | None,
        typer.Option(
            "--cae",
            min=3,
            max=len(PROFILES),
            help=f"Nombre de CAE (les premières des {len(PROFILES)} ; toutes par défaut)",
        ),
    ] = None,
    scale: Annotated[
        float,
        typer.Option(
            "--echelle",
            min=0.05,
            max=1.0,
            help="Part des entrepreneurs de chaque CAE, pour une démo plus rapide (1 = toutes)",
        ),
    ] = 1.0,
    seed: Annotated[int, typer.Option("--graine", help="Graine du tirage")] = DEFAULT_SEED,
) -> None:
    """Charger la fédération de démonstration : CAE, fichiers, synchronisations, publications."""
    # Imported here: every other ``cae-hub`` command starts without the demonstration's weight.
    from cae_contract.cli import fail
    from hub.cli import load_settings, open_engine
    from hub.demo.files import DemoFolderError
    from hub.demo.run import DemoFailed, public_url, run_demo
    from hub.demo.server import HubDidNotStart
    from hub.migrate import upgrade

    settings = load_settings()
    engine = open_engine(settings)
    try:
        upgrade(engine)
        result = run_demo(settings, engine, count=caes, scale=scale, seed=seed, say=typer.echo)
    except (DemoFailed, DemoFolderError, HubDidNotStart) as error:
        fail(str(error))
    finally:
        engine.dispose()
    for line in summary(result, url=public_url(settings)):
        typer.echo(line)


def _shown(path: Path) -> str:
    """``path`` relative to the current folder when it lies below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def summary(result: DemoResult, *, url: str) -> list[str]:
    """The closing note, in French: what was loaded, secrets once, where to look, timings."""
    from cae_contract.format import fr_int
    from hub.demo.accounts import DEMO_ADMIN
    from hub.demo.run import french_seconds

    federation = result.federation
    stock = sum(len(cae.stock(federation.today)) for cae in federation.caes)
    reports = sum(len(cae.periods()) for cae in federation.caes)
    dominant = next(c for c in federation.caes if c.profile.size is Size.DOMINANT)
    folder = _shown(result.folder)
    lines = [""]
    if result.already_loaded:
        lines.append(
            "Fédération de démonstration déjà chargée : fichiers régénérés et CAE "
            f"resynchronisées ({result.registration.members_added} nouvelle(s) CAE)."
        )
    lines.append(
        f"Fédération de démonstration : {len(federation.caes)} CAE, {fr_int(stock)} "
        f"entrepreneurs aujourd'hui, {fr_int(reports)} rapports semestriels sur le hub."
    )
    if result.published:
        lines.append(
            f"Semestres publiés : {', '.join(result.published)}."
            if len(result.published) <= 3
            else f"Semestres publiés : {len(result.published)} "
            f"({result.published[0]} à {result.published[-1]})."
        )
    else:
        lines.append("Semestres passés : déjà publiés, rien de nouveau à publier.")

    registration = result.registration
    if registration.admin_token or registration.logins:
        lines += ["", "Secrets — affichés cette seule fois :"]
        if registration.admin_token:
            lines.append(f"  jeton administrateur : {registration.admin_token}")
        for login in registration.logins:
            lines.append(f"  connexion {login.who} : {login.email} / {login.password}")
        if registration.logins:
            lines.append(
                f"  (les connexions sont aussi dans {folder}/acces.txt, lisible par vous seul)"
            )
    else:
        lines += [
            "",
            f"Connexions au tableau de bord : {folder}/acces.txt ; administrateur : {DEMO_ADMIN}.",
        ]

    example = f"{folder}/{dominant.slug}/jeton"
    period = result.published[-1] if result.published else str(dominant.periods()[-2])
    lines += [
        "",
        "Où regarder, une fois le hub servi (make run, ou cae-hub serve) :",
        f"  tableau de bord : {url}/tableau-de-bord (connexion : {url}/connexion)",
        f"  documentation de l'API : {url}/docs",
        f"  fichiers des CAE : {folder}/<CAE>/ — leurs exports contiennent des données "
        "personnelles inventées, qui ne quittent jamais la CAE",
        f"  jeton de chaque CAE : {folder}/<CAE>/jeton ; synchronisation : "
        f"cae-hub sync --config {folder}/<CAE>/synchro.toml --once",
        "  exemples :",
        f'    curl -H "Authorization: Bearer $(cat {example})" {url}/v1/me',
        f'    curl -H "Authorization: Bearer $(cat {example})" '
        f'"{url}/v1/stats?indicator=entrepreneurs&period={period}&by=trade"',
        f'    curl -H "Authorization: Bearer $(cat {example})" '
        f'"{url}/v1/stats/preview?indicator=revenue_eur&period={period}"',
        "",
        "Temps mesurés :",
    ]
    for name, sync in (("synchronisation", result.first), ("resynchronisation", result.second)):
        if sync is None:
            continue
        what = "sans changement" if not sync.sent else f"de la fédération ({len(result.files)} CAE)"
        lines.append(
            f"  {name} {what} : {fr_int(sync.sent)} rapport(s) envoyé(s), "
            f"{fr_int(sync.up_to_date)} déjà à jour, en {french_seconds(sync.seconds)}"
        )
    lines.append(f"  démonstration complète : {french_seconds(result.seconds)}")
    return lines
