"""End to end over a real socket: CAE A sends its catalogue, CAE B finds the session, asks two
seats, A accepts, B writes its OPCO pack locally with ``cae-hub formations dossier-opco``. The
PDF holds the trainees' names; the hub's database holds none of them."""

from __future__ import annotations

import os
from pathlib import Path

import requests
from pypdf import PdfReader
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from hub.main import create_app
from tests.databases import fresh_database, settings_for
from tests.factories import create_member, issue_token
from tests.served import run_cae_hub, serve_in_thread
from tests.trainings.catalogues import example

TRAINEES = [("Lemoine-Arrighi", "Séverine"), ("Okonkwo", "Théophane")]


def test_a_pack_is_written_at_the_cae_and_no_name_reaches_the_hub(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as engine:
        with Session(engine, expire_on_commit=False) as session:
            a = {
                "Authorization": "Bearer "
                + issue_token(
                    session, member=create_member(session, name="CAE Toitures du Sud-Ouest")
                )
            }
            b_token = issue_token(session, member=create_member(session, name="CAE Gironde"))
            session.commit()
        b = {"Authorization": f"Bearer {b_token}"}
        http = requests.Session()
        http.trust_env = False
        with serve_in_thread(create_app(settings_for(str(engine.url)), engine=engine)) as url:
            assert http.put(f"{url}/v1/trainings/catalogue", json=example(), headers=a).ok
            found = http.get(
                f"{url}/v1/trainings/sessions", params={"q": "toiture"}, headers=b
            ).json()
            [offer] = [s for s in found["items"] if s["offered"]]
            asked = http.post(
                f"{url}/v1/trainings/sessions/{offer['id']}/requests",
                json={"places": 2, "reference": "FORM-2027-07", "effectif": 9},
                headers={**b, "Idempotency-Key": "toiture-2027"},
            )
            assert asked.status_code == 201, asked.text
            request_id = asked.json()["id"]
            accepted = http.post(
                f"{url}/v1/trainings/requests/{request_id}/decision",
                json={"decision": "acceptee"},
                headers=a,
            )
            assert accepted.status_code == 200, accepted.text

            trainees = tmp_path / "stagiaires.csv"
            trainees.write_text(
                "nom;prenom\n" + "".join(f"{n};{p}\n" for n, p in TRAINEES), encoding="utf-8"
            )
            env = {**os.environ, "CAE_HUB_TOKEN": b_token}
            done = run_cae_hub(
                env,
                tmp_path,
                "formations",
                "dossier-opco",
                "--demande",
                str(request_id),
                "--stagiaires",
                str(trainees),
                "--sortie",
                "dossier",
                "--hub",
                url,
            )
            exported = run_cae_hub(
                env, tmp_path, "formations", "exporter", "--sortie", "reseau.xml", "--hub", url
            )
            too_many = tmp_path / "trop.csv"
            too_many.write_text("nom;prenom\nA;B\nC;D\nE;F\n", encoding="utf-8")
            refused = run_cae_hub(
                env,
                tmp_path,
                "formations",
                "dossier-opco",
                "--demande",
                str(request_id),
                "--stagiaires",
                str(too_many),
                "--sortie",
                "autre",
                "--hub",
                url,
            )

        assert done.returncode == 0, done.stderr
        pdf = tmp_path / "dossier" / f"dossier-opco-demande-{request_id}.pdf"
        text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
        for nom, prenom in TRAINEES:
            assert nom in text and prenom in text
        assert "SIRET" in text and "Qualiopi" in text and "Constructys" in text
        table = (tmp_path / "dossier" / f"dossier-opco-demande-{request_id}.csv").read_text()
        assert table.count("FORM-2027-07") == 2
        assert exported.returncode == 0, exported.stderr
        assert b"lheo" in (tmp_path / "reseau.xml").read_bytes()[:500]
        assert refused.returncode != 0
        assert "3 stagiaires pour 2 place(s)" in refused.stderr
        assert not (tmp_path / "autre").exists()

        with Session(engine) as session:
            stored = "".join(
                str(session.execute(sa_select(table)).all())
                for table in SQLModel.metadata.sorted_tables
            )
        assert "FORM-2027-07" in stored  # the reference is there; the names are not
        for nom, prenom in TRAINEES:
            assert nom not in stored and prenom not in stored
