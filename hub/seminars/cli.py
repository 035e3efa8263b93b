"""``cae-hub seminaire …``: working groups, seminars and their packs from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cae_contract.cli import fail
from cae_contract.format import fr_date
from hub.cli import load_settings, unit_of_work
from hub.seminars.models import AUDIENCE_NAMES, ItemKind
from hub.seminars.packs import PdfUnavailable, pack_service
from hub.seminars.service import group_service, seminar_service

seminar_app = typer.Typer(
    help="Groupes de travail, séminaires semestriels et leurs packs.", no_args_is_help=True
)

Group = Annotated[str, typer.Option("--groupe", help="strategie, competences ou formation")]
Audience = Annotated[
    str, typer.Option("--groupe", help="strategie, competences, formation ou pleniere")
]
SeminarId = Annotated[int, typer.Option("--seminaire", help="Numéro du séminaire (voir « liste »)")]


@seminar_app.command("groupes")
def groups() -> None:
    """Lister les groupes : animation, CAE membres et personnes contacts."""
    with unit_of_work() as session:
        for group in group_service.groups(session):
            typer.echo(f"{group.code} — {group.name}")
            typer.echo(f"  animation : {group.facilitator or 'à désigner'}")
            typer.echo(f"  CAE : {', '.join(m.name for m in group.members) or 'aucune'}")
            contacts = ", ".join(f"{c.display_name} ({c.member_name})" for c in group.contacts)
            typer.echo(f"  contacts : {contacts or 'aucun'}")


@seminar_app.command("ajouter-cae")
def add_member(
    group: Group, siren: Annotated[str, typer.Option("--cae", help="SIREN de la CAE")]
) -> None:
    """Inscrire une CAE membre dans un groupe."""
    with unit_of_work() as session:
        member = group_service.add_member(session, group, siren)
        typer.echo(f"{member.name} fait partie du groupe {group}.")


@seminar_app.command("retirer-cae")
def remove_member(
    group: Group, siren: Annotated[str, typer.Option("--cae", help="SIREN de la CAE")]
) -> None:
    """Retirer une CAE d'un groupe (et ses personnes contacts)."""
    with unit_of_work() as session:
        member = group_service.remove_member(session, group, siren)
        typer.echo(f"{member.name} ne fait plus partie du groupe {group}.")


@seminar_app.command("contact")
def add_contact(
    group: Group,
    email: Annotated[str, typer.Option("--compte", help="Adresse du compte web de la CAE")],
) -> None:
    """Faire d'un compte web de CAE une personne contact du groupe (sa CAE y entre)."""
    with unit_of_work() as session:
        user = group_service.add_contact(session, group, email)
        typer.echo(f"{user.display_name} est contact du groupe {group}.")


@seminar_app.command("animateur")
def set_facilitator(
    group: Group,
    email: Annotated[str, typer.Option("--compte", help="Adresse d'un compte (équipe ou CAE)")],
) -> None:
    """Désigner la personne qui anime le groupe."""
    with unit_of_work() as session:
        view = group_service.set_facilitator(session, group, email)
        typer.echo(f"Animation du groupe {view.code} : {view.facilitator}.")


@seminar_app.command("creer")
def create(
    period: Annotated[str, typer.Option("--semestre", help="AAAA-S1 ou AAAA-S2")],
    day: Annotated[str, typer.Option("--date", help="AAAA-MM-JJ")],
    place: Annotated[str, typer.Option("--lieu", help="Lieu du séminaire")],
) -> None:
    """Créer le séminaire d'un semestre."""
    with unit_of_work() as session:
        seminar = seminar_service.create(session, period=period, day=day, place=place)
        typer.echo(f"Séminaire n°{seminar.id} : {fr_date(seminar.day)}, {seminar.place}.")


@seminar_app.command("liste")
def seminars() -> None:
    """Lister les séminaires, du plus récent au plus ancien."""
    with unit_of_work() as session:
        found = seminar_service.list(session)
        for seminar in found:
            typer.echo(f"{seminar.id}  {seminar.period}  {fr_date(seminar.day)}  {seminar.place}")
        if not found:
            typer.echo("Aucun séminaire.")


def _add_item(seminar_id: int, audience: str, kind: ItemKind, text: str) -> None:
    with unit_of_work() as session:
        item = seminar_service.add_item(
            session, seminar_id, audience=audience, kind=kind, text=text
        )
        typer.echo(f"{AUDIENCE_NAMES[item.audience]}, point {item.position} : {item.text}")


@seminar_app.command("ordre-du-jour")
def agenda(
    seminar_id: SeminarId,
    audience: Audience,
    text: Annotated[str, typer.Argument(help="Intitulé du point")],
) -> None:
    """Ajouter un point à l'ordre du jour d'un groupe ou de la plénière."""
    _add_item(seminar_id, audience, ItemKind.AGENDA, text)


@seminar_app.command("question")
def question(
    seminar_id: SeminarId,
    audience: Audience,
    text: Annotated[str, typer.Argument(help="La question posée au groupe")],
) -> None:
    """Ajouter une question de l'animateur pour la discussion."""
    _add_item(seminar_id, audience, ItemKind.QUESTION, text)


@seminar_app.command("pack")
def pack(
    seminar_id: SeminarId,
    audience: Audience,
    output: Annotated[Path, typer.Option("--sortie", help="Fichier PDF à écrire")],
    html: Annotated[
        Path | None, typer.Option("--html", help="Écrire aussi la version HTML ici")
    ] = None,
    notify: Annotated[
        bool, typer.Option("--courriel/--sans-courriel", help="Prévenir les membres du groupe")
    ] = True,
) -> None:
    """Produire une nouvelle version du pack d'un groupe (ou de la plénière) et l'écrire."""
    settings = load_settings()
    try:
        with unit_of_work() as session:
            built = pack_service.build(
                session, settings, seminar_id=seminar_id, audience=audience, notify=notify
            )
            content, page, version = built.pdf, built.html, built.version
            digest, period, number = built.pdf_sha256, built.period, built.publication_number
    except PdfUnavailable as exc:
        fail(str(exc))
    try:
        output.write_bytes(content)
        if html is not None:
            html.write_text(page, encoding="utf-8")
    except OSError as exc:
        fail(f"écriture impossible de {output if html is None else html} ({exc.strerror})")
    typer.echo(
        f"Pack {AUDIENCE_NAMES[audience.strip().lower()]}, version {version} "
        f"(chiffres du {period}, publication n° {number}) : {output} — SHA-256 {digest}"
    )


@seminar_app.command("packs")
def packs(seminar_id: SeminarId) -> None:
    """Lister les versions des packs d'un séminaire, avec leur empreinte."""
    with unit_of_work() as session:
        seminar_service.get(session, seminar_id)
        found = pack_service.packs(session, seminar_id)
        for item in found:
            typer.echo(
                f"{item.audience}  v{item.version}  {item.period} n°{item.publication_number}  "
                f"{item.built_at:%d/%m/%Y %H:%M}  {item.pdf_sha256}"
            )
        if not found:
            typer.echo("Aucun pack pour ce séminaire.")
