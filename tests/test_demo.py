"""The demonstration federation: a realistic, deterministic generator, files the real
connectors read, and ``cae-hub demo`` loading a hub end to end over HTTP.

The end-to-end test runs the real command in a process of its own, on a SQLite file that does
not exist yet, with a reduced federation (the first CAEs of the full one, the dominant CAE
included, each with a fifth of its entrepreneurs).
"""

from __future__ import annotations

import json
import stat
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy
from pypdf import PdfReader
from sqlalchemy import Engine, MetaData, create_engine
from sqlmodel import Session, col, func, select

from cae_contract.periods import Period, today
from cae_contract.registry import get_registry
from connectors.sync import load_config
from connectors.sync.runner import build_connector
from hub.demo.federation import DemoCae, DemoFederation, add_months, generate
from hub.demo.files import write_cae_files
from hub.demo.profiles import PROFILES, Size, Source
from hub.demo.run import past_semesters
from hub.indicators.models import IndicatorCell, IndicatorReport
from hub.members.models import Member, MemberUser, StaffAccount
from hub.members.schemas import siren_is_valid
from hub.seminars.models import AUDIENCE_NAMES, SeminarPack
from hub.stats.models import Publication
from hub.trainings.models import SeatRequest, TrainingSession
from tests.served import cae_hub_command, hub_environment, run_cae_hub

ON = date(2026, 11, 23)
# The dominant CAE, a large one and a tiny spreadsheet, each with a fifth of its entrepreneurs.
E2E_CAES = 3
E2E_SCALE = 0.2


@pytest.fixture(scope="module")
def federation() -> DemoFederation:
    return generate(today=ON)


def _regions() -> dict[str, str]:
    annotations = get_registry().code_annotations("code-departement")
    return {code: str(notes["x-region"]) for code, notes in annotations.items()}


# -- the generator -------------------------------------------------------------------------


def test_the_generator_is_deterministic_and_a_reduced_federation_is_a_prefix(
    federation: DemoFederation,
) -> None:
    assert generate(today=ON, count=6).caes == federation.caes[:6]
    other = generate(today=ON, seed=7, count=3)
    assert [c.siren for c in other.caes] != [c.siren for c in federation.caes[:3]]
    smaller = generate(today=ON, count=3, scale=0.25)
    assert [c.siren for c in smaller.caes] == [c.siren for c in federation.caes[:3]]
    assert all(
        len(small.people) < len(full.people) / 2
        for small, full in zip(smaller.caes, federation.caes, strict=False)
        if len(full.people) > 40
    )


def test_caes_have_valid_sirens_and_work_mostly_in_nouvelle_aquitaine_and_occitanie(
    federation: DemoFederation,
) -> None:
    regions = _regions()
    assert len(federation.caes) == len(PROFILES) == 24
    sirens = [cae.siren for cae in federation.caes]
    assert len(set(sirens)) == len(sirens)
    assert all(siren_is_valid(siren) for siren in sirens)
    for cae in federation.caes:
        assert {regions[d] for d in cae.profile.departements} == {cae.profile.region}
        for person in cae.people:
            assert person.departement in cae.profile.departements
            assert person.postcode.startswith(person.departement)
            assert person.trade in cae.trades
    southern = [c for c in federation.caes if c.profile.region in {"75", "76"}]
    assert len(southern) >= 0.8 * len(federation.caes)
    assert set(Counter(c.profile.region for c in southern)) == {"75", "76"}


def test_some_caes_are_large_some_tiny_and_one_dominates_revenue(
    federation: DemoFederation,
) -> None:
    stocks = {cae.slug: len(cae.stock(ON)) for cae in federation.caes}
    assert max(stocks.values()) >= 150
    assert sum(1 for n in stocks.values() if n >= 100) >= 3
    assert sum(1 for n in stocks.values() if n <= 8) >= 3
    revenue = {cae.slug: sum(cae.revenue(p) for p in cae.periods()) for cae in federation.caes}
    total = sum(revenue.values())
    first, second = sorted(revenue.values(), reverse=True)[:2]
    dominant = next(c for c in federation.caes if c.profile.size is Size.DOMINANT)
    assert revenue[dominant.slug] == first
    assert first > Decimal("0.3") * total
    assert first > 3 * second
    # Revenue per entrepreneur stays within what building trades bill in a year.
    for cae in federation.caes:
        present = [p for p in cae.people if p.present_at(date(2025, 6, 30))]
        if len(present) >= 10:
            per_head = (cae.revenue(Period(2025, 1)) + cae.revenue(Period(2025, 2))) / len(present)
            assert Decimal(15_000) < per_head < Decimal(250_000), (cae.slug, per_head)


def test_careers_go_from_cape_to_cesa_to_associate_within_the_rules(
    federation: DemoFederation,
) -> None:
    entries_by_year: Counter[int] = Counter()
    associates = direct_cesa = exits = 0
    for cae in federation.caes:
        for p in cae.people:
            entries_by_year[p.entry_date.year] += 1
            assert p.entry_date <= ON
            assert 18 <= (p.entry_date - p.birth_date).days // 365 <= 65
            if p.cesa_date is not None:
                assert p.entry_date <= p.cesa_date <= ON
                direct_cesa += p.cesa_date == p.entry_date
            if p.associate_date is not None:
                associates += 1
                assert p.cesa_date is not None, "associate only after a CESA"
                assert p.cesa_date < p.associate_date <= add_months(p.cesa_date, 36)
            if p.exit_date is not None:
                exits += 1
                assert p.entry_date < p.exit_date <= ON
                assert p.exit_reason in {"company_creation", "employment", "training", "other"}
            else:
                assert p.exit_reason is None
            if p.cesa_date is not None and p.associate_date is None and p.exit_date is None:
                # Not yet associate: still within 36 months of CESA.
                assert add_months(p.cesa_date, 36) > ON
    assert all(entries_by_year[year] > 50 for year in range(2022, 2027))
    assert associates > 100 and exits > 100 and direct_cesa > 20
    sexes = Counter(p.sex for cae in federation.caes for p in cae.people)
    assert sexes["M"] > sexes["F"] > sexes["X"] > 0


def test_invoices_fall_within_each_entrepreneurs_stay(federation: DemoFederation) -> None:
    for cae in federation.caes[:6]:
        people = {p.number: p for p in cae.people}
        for invoice in cae.invoices:
            person = people[invoice.person]
            assert max(person.entry_date, cae.profile.since) <= invoice.on <= ON
            assert person.exit_date is None or invoice.on < person.exit_date
        for slip in cae.payslips:
            cesa = people[slip.person].cesa_date
            assert cesa is not None and slip.month >= date(cesa.year, cesa.month, 1)
        assert any(i.amount_cents < 0 for i in cae.invoices) or len(cae.invoices) < 300


# -- the files, read by the real connectors --------------------------------------------------


def _smallest_of_each_source(federation: DemoFederation) -> Iterator[DemoCae]:
    for source in Source:
        yield min(
            (c for c in federation.caes if c.profile.source is source),
            key=lambda c: len(c.people),
        )


def test_each_kind_of_file_is_read_by_its_connector_into_the_generated_figures(
    federation: DemoFederation, tmp_path: Path
) -> None:
    for cae in _smallest_of_each_source(federation):
        written = write_cae_files(
            cae, tmp_path / cae.slug, seed=federation.seed, hub_url="http://127.0.0.1:8000"
        )
        written.token.write_text("caeh_demo-file-test\n", encoding="utf-8")
        config = load_config(written.config)
        assert config.connector.name == cae.profile.source.connector
        assert config.periods == tuple(str(p) for p in cae.periods())
        connector = build_connector(config)
        documents = {d.period: d.body for d in connector.documents(config.periods or [])}
        assert connector.skipped == []
        assert sorted(documents) == [str(p) for p in cae.periods()]
        for period in cae.periods():
            cells = {
                (c["indicator"], tuple(sorted(c["dims"].items()))): c["value"]
                for c in documents[str(period)]["cells"]
            }
            where = f"{cae.slug} {period}"
            assert cells[("entrepreneurs", ())] == len(cae.stock(period.end)), where
            assert Decimal(str(cells[("revenue_eur", ())])) == cae.revenue(period), where
            assert Decimal(str(cells[("training_hours", ())])) == cae.training_hours(period)


def test_latin1_exports_are_latin1_and_personal_columns_are_in_the_cae_files(
    federation: DemoFederation, tmp_path: Path
) -> None:
    cae = next(c for c in federation.caes if c.profile.source is Source.ENDI_CSV_LABELS_LATIN1)
    write_cae_files(cae, tmp_path, seed=federation.seed, hub_url="http://127.0.0.1:8000")
    raw = (tmp_path / "exports" / "gestion_sociale.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("latin-1")
    header = text.splitlines()[0].split(";")
    assert {"ID Gestion sociale", "Nom", "Numéro de sécurité sociale", "Code postal"} <= set(header)
    person = cae.people[0]
    assert person.nir in text and person.birth_date.strftime("%d/%m/%Y") in text


# -- cae-hub demo, end to end ----------------------------------------------------------------


def _run_demo(env: dict[str, str], workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [*cae_hub_command(), "demo", "--cae", str(E2E_CAES), "--echelle", str(E2E_SCALE)],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _database_text(engine: Engine) -> str:
    """Every distinct value of every row of every table, as text, one per line."""
    metadata = MetaData()
    metadata.reflect(engine)
    values: set[str] = set()
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(sqlalchemy.select(table)):
                for value in row:
                    if isinstance(value, dict | list):
                        values.add(json.dumps(value, ensure_ascii=False))
                    elif value is not None and not isinstance(value, int | float):
                        values.add(str(value))
    return "\n".join(sorted(values))


def _personal_values(cae: DemoCae) -> Iterator[str]:
    for p in cae.people:
        yield f"{p.first_name} {p.last_name}"
        yield p.last_name if len(p.last_name) > 6 else p.email
        yield from (p.email, p.nir, p.phone, p.address, p.sign)
        yield from (p.birth_date.isoformat(), p.birth_date.strftime("%d/%m/%Y"))


def test_cae_hub_demo_loads_a_federation_over_http_and_twice_is_harmless(
    tmp_path: Path,
) -> None:
    workdir = tmp_path
    database = workdir / "var" / "hub.sqlite3"  # does not exist yet
    url = f"sqlite:///{database}"
    env = hub_environment(database)

    first = _run_demo(env, workdir)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "jeton administrateur : caeh_" in first.stdout
    assert "resynchronisation sans changement : 0 rapport(s) envoyé(s)" in first.stdout
    federation = generate(count=E2E_CAES, scale=E2E_SCALE, today=today())
    folder = workdir / "var" / "demo"  # beside the SQLite database by default

    engine = create_engine(url)
    try:
        with Session(engine) as session:
            members = {m.siren: m for m in session.exec(select(Member)).all()}
            assert set(members) == {cae.siren for cae in federation.caes}
            staff = {s.email: s.role for s in session.exec(select(StaffAccount)).all()}
            assert staff == {"admin@demo.cae-hub.fr": "admin", "equipe@demo.cae-hub.fr": "staff"}
            assert session.exec(select(func.count()).select_from(MemberUser)).one() == 1
            for cae in federation.caes:
                _assert_reports_match(session, members[cae.siren], cae)
                token = folder / cae.slug / "jeton"
                assert stat.S_IMODE(token.stat().st_mode) == 0o600
                assert token.read_text(encoding="utf-8").strip() not in first.stdout
            published = set(session.exec(select(Publication.period)).all())
            assert published == {str(p) for p in past_semesters(federation.caes)}
            revisions = session.exec(select(func.count()).select_from(IndicatorReport)).one()
            # The last seminar has its pack for each group and for the plenary.
            packs = session.exec(select(SeminarPack.audience, SeminarPack.version)).all()
            assert sorted(packs) == [(a, 1) for a in sorted(AUDIENCE_NAMES)]
        assert stat.S_IMODE((folder / "acces.txt").stat().st_mode) == 0o600
        _assert_training_pool(engine, folder, federation, first.stdout)

        dump = _database_text(engine)
        leaks = [v for cae in federation.caes for v in _personal_values(cae) if v in dump]
        assert leaks == []
        _assert_audit_trail_is_clean_and_intact(engine, env, workdir, first.stdout)

        second = _run_demo(env, workdir)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "déjà chargée" in second.stdout
        assert "jeton administrateur" not in second.stdout
        assert "0 rapport(s) envoyé(s)" in second.stdout
        with Session(engine) as session:
            assert session.exec(select(func.count()).select_from(IndicatorReport)).one() == (
                revisions
            )
            assert session.exec(select(func.count()).select_from(SeminarPack)).one() == 4
            again = session.exec(select(func.count()).select_from(Publication)).one()
            assert again == len(published)
            assert session.exec(select(func.count()).select_from(Member)).one() == len(
                federation.caes
            )
    finally:
        engine.dispose()


def _assert_training_pool(
    engine: Engine, folder: Path, federation: DemoFederation, printed: str
) -> None:
    """Catalogues offered, requests in several states, and one OPCO pack at the CAE that
    asked, whose trainees' names are in the PDF and nowhere in the hub."""
    with Session(engine) as session:
        offered = session.exec(
            select(func.count())
            .select_from(TrainingSession)
            .where(col(TrainingSession.seats_offered) > 0)
        ).one()
        states = set(session.exec(select(SeatRequest.status)).all())
    assert offered == 3
    assert {"acceptee", "en_attente", "liste_attente", "refusee"} <= states
    assert "mutualisation des formations : 3 catalogues, 5 demandes" in printed
    [pdf] = (folder / federation.caes[1].slug / "dossier-opco").glob("*.pdf")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    trainee = federation.caes[1].people[0]
    assert trainee.last_name in text
    assert trainee.last_name not in _database_text(engine)


def _assert_audit_trail_is_clean_and_intact(
    engine: Engine, env: dict[str, str], workdir: Path, printed: str
) -> None:
    """The demo's trail: every kind it exercised, no address, token or name in any row, and
    ``cae-hub audit verify`` finds it intact."""
    metadata = MetaData()
    metadata.reflect(engine, only=["audit_event", "audit_checkpoint", "member", "staff_account"])
    with engine.connect() as connection:
        trail = [
            dict(r._mapping)
            for r in connection.execute(sqlalchemy.select(metadata.tables["audit_event"]))
        ]
        trail += [
            dict(r._mapping)
            for r in connection.execute(sqlalchemy.select(metadata.tables["audit_checkpoint"]))
        ]
        names = [r.name for r in connection.execute(sqlalchemy.select(metadata.tables["member"]))]
        names += [
            r.display_name
            for r in connection.execute(sqlalchemy.select(metadata.tables["staff_account"]))
        ]
    kinds = {row["kind"] for row in trail if "kind" in row}
    assert {"member.created", "token.issued", "report.accepted", "publication.published"} <= kinds
    text = json.dumps(trail, default=str, ensure_ascii=False)
    secrets = [word for word in printed.split() if word.startswith("caeh_")]
    assert "@" not in text
    assert [value for value in [*names, *secrets] if value in text] == []
    verified = run_cae_hub(env, workdir, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("piste d'audit intègre : ")


def _assert_reports_match(session: Session, member: Member, cae: DemoCae) -> None:
    """One current report per semester of the CAE, whose totals are the generator's."""
    reports = session.exec(
        select(IndicatorReport).where(
            IndicatorReport.member_id == member.id, col(IndicatorReport.is_current).is_(True)
        )
    ).all()
    by_period = {r.period: r for r in reports}
    assert sorted(by_period) == [str(p) for p in cae.periods()]
    for period in cae.periods():
        report = by_period[str(period)]
        assert report.revision == 1
        assert report.connector == cae.profile.source.connector
        totals = {
            cell.indicator: Decimal(cell.value_centi) / 100
            for cell in session.exec(
                select(IndicatorCell).where(
                    IndicatorCell.report_id == report.id, IndicatorCell.dim_set == ""
                )
            ).all()
        }
        assert totals["entrepreneurs"] == len(cae.stock(period.end))
        assert totals["revenue_eur"] == cae.revenue(period)
