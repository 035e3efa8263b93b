"""``cae-hub members|tokens|staff``: the same operations as the admin API."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import BaseModel

from cae_contract.cli import fail
from cae_contract.registry import get_registry
from hub.cli import unit_of_work
from hub.members.models import Scope, StaffRole
from hub.members.schemas import (
    MemberCreate,
    MemberPublic,
    MemberUserCreate,
    MemberUserPublic,
    StaffCreate,
    TokenIssue,
    TokenPublic,
)
from hub.members.service import (
    member_service,
    member_user_service,
    staff_service,
    token_service,
)

Listed = TypeVar("Listed", bound=BaseModel)

members_app = typer.Typer(help="CAE membres.", no_args_is_help=True)
tokens_app = typer.Typer(help="Jetons d'accès à l'API.", no_args_is_help=True)
staff_app = typer.Typer(help="Comptes de l'équipe de la fédération.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Sortie JSON")]
SirenArgument = Annotated[str, typer.Argument(help="SIREN de la CAE (9 chiffres)")]
PasswordFileOption = Annotated[
    Path | None, typer.Option(help="Fichier contenant le mot de passe (sinon, tiré au sort)")
]


def _echo_list(
    items: Sequence[Listed], *, as_json: bool, empty: str, show: Callable[[Listed], None]
) -> None:
    """A listing: JSON for scripts, else one line an item, or ``empty`` when there is none."""
    if as_json:
        dumped = [item.model_dump(mode="json") for item in items]
        typer.echo(json.dumps(dumped, ensure_ascii=False, indent=2))
        return
    if not items:
        typer.echo(empty)
    for item in items:
        show(item)


def _print_member_line(member: MemberPublic) -> None:
    state = "" if member.active else " [désactivée]"
    typer.echo(f"{member.siren}  {member.region:>2}  {member.name}{state}")


def _read_password(password_file: Path | None) -> str | None:
    """The password in a file, or None when the hub should draw one."""
    if password_file is None:
        return None
    try:
        return password_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        fail(f"mot de passe illisible dans {password_file} ({exc.strerror})")


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _print_member(member: MemberPublic) -> None:
    typer.echo(f"{member.name} — SIREN {member.siren}")
    typer.echo(f"  région : {member.region} ; départements : {', '.join(member.departements)}")
    typer.echo(f"  métiers : {', '.join(member.trades)}")
    typer.echo(f"  contact : {member.contact_email}")
    consent = "oui" if member.consents_raw_access else "non"
    typer.echo(f"  consentement à la lecture des rapports bruts : {consent}")
    typer.echo(f"  actif : {'oui' if member.active else 'non'}")


@members_app.command("add")
def members_add(
    name: Annotated[str | None, typer.Option(help="Raison sociale")] = None,
    siren: Annotated[str | None, typer.Option(help="SIREN (9 chiffres)")] = None,
    region: Annotated[str | None, typer.Option(help="Code INSEE de la région, ex. 75")] = None,
    departements: Annotated[
        str | None, typer.Option(help="Départements, séparés par des virgules")
    ] = None,
    trades: Annotated[str | None, typer.Option(help="Codes NAF, séparés par des virgules")] = None,
    email: Annotated[str | None, typer.Option(help="Adresse de contact")] = None,
    consent: Annotated[
        bool, typer.Option(help="Consent à la lecture de ses rapports bruts")
    ] = False,
    profile: Annotated[
        Path | None,
        typer.Option(help="Fichier JSON conforme au schéma member-profile", exists=False),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Enregistrer une CAE membre (par options ou par un fichier member-profile)."""
    if profile is not None:
        data = _read_profile(profile)
    else:
        missing = [
            flag
            for flag, value in [
                ("--name", name),
                ("--siren", siren),
                ("--region", region),
                ("--departements", departements),
                ("--trades", trades),
                ("--email", email),
            ]
            if not value
        ]
        if missing:
            fail("options manquantes : " + ", ".join(missing) + " (ou --profile FICHIER)")
        data = MemberCreate.model_validate(
            {
                "name": name,
                "siren": siren,
                "region": region,
                "departements": _split(departements),
                "trades": _split(trades),
                "contact_email": email,
                "consents_raw_access": consent,
            }
        )
    with unit_of_work() as session:
        member = MemberPublic.model_validate(member_service.create(session, data))
    if as_json:
        typer.echo(member.model_dump_json(indent=2))
    else:
        typer.echo(f"membre enregistré : {member.name} (SIREN {member.siren})")


def _read_profile(path: Path) -> MemberCreate:

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"fichier introuvable : {path}")
    except (UnicodeDecodeError, ValueError) as exc:
        fail(f"{path} n'est pas un JSON UTF-8 lisible ({exc})")
    errors = get_registry().validate("member-profile", "latest", document)
    if errors:
        fail(f"{path} : " + "; ".join(f"{e.path} : {e.message}" for e in errors))
    return MemberCreate.model_validate(document)


@members_app.command("list")
def members_list(
    include_inactive: Annotated[
        bool, typer.Option("--all", help="Inclure les désactivées")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Lister les CAE membres."""
    with unit_of_work() as session:
        members = [
            MemberPublic.model_validate(m)
            for m in member_service.list(session, include_inactive=include_inactive)
        ]
    _echo_list(members, as_json=as_json, empty="aucun membre", show=_print_member_line)


@members_app.command("show")
def members_show(siren: SirenArgument, as_json: JsonOption = False) -> None:
    """Afficher une CAE membre."""
    with unit_of_work() as session:
        member = MemberPublic.model_validate(member_service.get_by_siren(session, siren))
        tokens = token_service.list(session, member_siren=siren)
    if as_json:
        typer.echo(member.model_dump_json(indent=2))
        return
    _print_member(member)
    typer.echo(f"  jetons : {sum(t.status == 'active' for t in tokens)} actif(s) sur {len(tokens)}")


@members_app.command("deactivate")
def members_deactivate(siren: SirenArgument) -> None:
    """Désactiver une CAE membre : ses jetons cessent de fonctionner, son historique reste."""
    with unit_of_work() as session:
        member = member_service.deactivate(session, siren)
    typer.echo(f"membre désactivé : {member.name} (SIREN {member.siren})")


def _print_token(token: TokenPublic) -> None:
    owner = token.member_siren if token.owner == "member" else token.staff_email
    expiry = token.expires_at.date().isoformat() if token.expires_at else "jamais"
    used = token.last_used_at.isoformat(timespec="minutes") if token.last_used_at else "jamais"
    typer.echo(
        f"{token.id:>5}  {token.prefix}…  {token.status:<8} {owner}  « {token.label} »  "
        f"droits={','.join(token.scopes)}  expire={expiry}  utilisé={used}"
    )


@tokens_app.command("issue")
def tokens_issue(
    member: Annotated[str | None, typer.Option(help="SIREN du membre titulaire")] = None,
    staff: Annotated[str | None, typer.Option(help="Adresse du compte d'équipe titulaire")] = None,
    label: Annotated[str, typer.Option(help="Libellé (ex. « synchro nocturne »)")] = "jeton",
    scope: Annotated[list[Scope] | None, typer.Option(help="Droit accordé (répétable)")] = None,
    expires_in_days: Annotated[
        int | None,
        typer.Option(min=1, max=3650, help="Jours de validité (sans cette option : sans échéance)"),
    ] = None,
) -> None:
    """Émettre un jeton : il est affiché une seule fois."""
    if (member is None) == (staff is None):
        fail("indiquez le titulaire : --member SIREN ou --staff ADRESSE (un seul des deux)")
    request = TokenIssue(
        member_siren=member,
        staff_email=staff,
        label=label,
        scopes=scope or None,
        expires_in_days=expires_in_days,
    )
    with unit_of_work() as session:
        token, secret = token_service.issue(session, request)
        public = token_service.describe(session, [token])[0]
    _print_token(public)
    typer.echo(f"jeton (affiché une seule fois, conservez-le) : {secret}")


@tokens_app.command("list")
def tokens_list(
    member: Annotated[str | None, typer.Option(help="SIREN du membre")] = None,
    staff: Annotated[str | None, typer.Option(help="Adresse du compte d'équipe")] = None,
    as_json: JsonOption = False,
) -> None:
    """Lister les jetons (jamais leur secret)."""
    with unit_of_work() as session:
        tokens = token_service.list(session, member_siren=member, staff_email=staff)
    _echo_list(tokens, as_json=as_json, empty="aucun jeton", show=_print_token)


@tokens_app.command("revoke")
def tokens_revoke(token_id: Annotated[int, typer.Argument(min=1, help="Numéro du jeton")]) -> None:
    """Révoquer un jeton : il cesse de fonctionner immédiatement."""
    with unit_of_work() as session:
        token = token_service.revoke(session, token_id)
    typer.echo(f"jeton n°{token.id} révoqué ({token.prefix}…)")


@staff_app.command("add")
def staff_add(
    email: Annotated[str, typer.Argument(help="Adresse électronique")],
    name: Annotated[str, typer.Option("--name", help="Nom affiché")],
    role: Annotated[StaffRole, typer.Option(help="staff ou admin")] = StaffRole.STAFF,
    password_file: PasswordFileOption = None,
) -> None:
    """Créer un compte d'équipe (sans mot de passe fourni, le hub en tire un et l'affiche)."""
    password = _read_password(password_file)
    data = StaffCreate(email=email, display_name=name, role=role, password=password)
    with unit_of_work() as session:
        account, drawn = staff_service.create(session, data)
    typer.echo(f"compte créé : {account.email} ({account.role})")
    if drawn:
        typer.echo(f"mot de passe (affiché une seule fois) : {drawn}")


users_app = typer.Typer(help="Comptes du tableau de bord des CAE membres.", no_args_is_help=True)
members_app.add_typer(users_app, name="users")


def _print_user(user: MemberUserPublic) -> None:
    state = "actif" if user.active else "désactivé"
    typer.echo(f"{user.email}  SIREN {user.member_siren}  « {user.display_name} »  {state}")


@users_app.command("add")
def users_add(
    member: Annotated[str, typer.Option("--member", help="SIREN de la CAE")],
    email: Annotated[str, typer.Option("--email", help="Adresse de connexion")],
    name: Annotated[str | None, typer.Option("--name", help="Nom affiché")] = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Créer un compte du tableau de bord pour une CAE (le mot de passe tiré est affiché)."""
    password = _read_password(password_file)
    data = MemberUserCreate(
        member_siren=member,
        email=email,
        display_name=name or email.split("@")[0],
        password=password,
    )
    with unit_of_work() as session:
        user, drawn = member_user_service.create(session, data)
        public = member_user_service.describe(user, data.member_siren)
    typer.echo(f"compte créé : {public.email} (CAE {public.member_siren})")
    if drawn:
        typer.echo(f"mot de passe (affiché une seule fois) : {drawn}")


@users_app.command("list")
def users_list(
    member: Annotated[str | None, typer.Option("--member", help="SIREN de la CAE")] = None,
    as_json: JsonOption = False,
) -> None:
    """Lister les comptes du tableau de bord des CAE (jamais leur mot de passe)."""
    with unit_of_work() as session:
        users = member_user_service.list(session, member_siren=member)
    _echo_list(users, as_json=as_json, empty="aucun compte", show=_print_user)


@users_app.command("deactivate")
def users_deactivate(email: Annotated[str, typer.Argument(help="Adresse du compte")]) -> None:
    """Désactiver un compte : ses sessions cessent de fonctionner immédiatement."""
    with unit_of_work() as session:
        user = member_user_service.set_active(session, email, active=False)
    typer.echo(f"compte désactivé : {user.email}")


@users_app.command("reset-password")
def users_reset_password(
    email: Annotated[str, typer.Argument(help="Adresse du compte")],
) -> None:
    """Tirer un nouveau mot de passe (affiché une seule fois)."""
    with unit_of_work() as session:
        user, password = member_user_service.reset_password(session, email)
    typer.echo(f"nouveau mot de passe de {user.email} (affiché une seule fois) : {password}")
