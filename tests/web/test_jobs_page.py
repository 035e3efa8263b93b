"""The staff page of jobs: last run, outcome, next run; e-mail status; the outbox."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session

from hub.jobs.models import JobRun, RunOutcome
from hub.mail.service import mail_service
from tests.web.conftest import Loaded


def test_staff_see_jobs_mail_status_and_outbox(
    staff_client: TestClient, session: Session, loaded: Loaded
) -> None:
    slot = datetime(2026, 12, 3, 2, 17, tzinfo=UTC)
    session.add(
        JobRun(
            job="purge-sessions",
            slot=slot,
            outcome=RunOutcome.FAILED,
            message="erreur inattendue (OperationalError)",
            process="hub:1",
        )
    )
    mail_service.queue(
        session,
        recipient=loaded.member.contact_email,
        subject="Rapport attendu",
        template="report_reminder",
        context={
            "member": loaded.member.name,
            "period": "2e semestre 2025",
            "period_code": "2025-S2",
            "before_publication": False,
            "publication": "16/03/2026",
            "days_left": 0,
            "dashboard_url": "http://hub/tableau-de-bord",
        },
    )
    session.flush()

    page = staff_client.get("/taches")

    assert page.status_code == 200, page.text
    html = page.text
    assert "<h1>Tâches planifiées</h1>" in html
    assert 'href="/taches" aria-current="page"' in html
    for name in ("purge-sessions", "purge-temp-files", "remind-missing-reports", "send-mail"):
        assert f'data-tache="{name}"' in html
    row = html.split('data-tache="purge-sessions"')[1].split("</tr>")[0]
    assert "3 décembre 2026 à 3\u00a0h\u00a017" in row
    assert "<strong>échec</strong> — erreur inattendue (OperationalError)" in row
    off = "envoi d&#39;e-mails désactivé : aucun serveur SMTP configuré (HUB_SMTP_HOST)"
    assert f"<strong>État</strong> — {off}" in html
    counts = mail_service.counts(session)
    assert f'<dd data-file="pending">{counts.pending}</dd>' in html
    assert counts.pending >= 1


def test_the_jobs_page_is_for_staff_only(member_client: TestClient) -> None:
    page = member_client.get("/taches")
    assert page.status_code == 404
    assert 'href="/taches"' not in member_client.get("/tableau-de-bord").text


def test_signed_out_visitors_are_sent_to_the_login(client: TestClient) -> None:
    page = client.get("/taches", follow_redirects=False)
    assert page.status_code in {302, 303}
    assert page.headers["location"].startswith("/connexion")


def test_staff_see_where_mail_goes_and_runs_cut_short(
    staff_client: TestClient, session: Session
) -> None:
    settings = staff_client.app.state.settings  # type: ignore[attr-defined]
    staff_client.app.state.settings = settings.model_copy(  # type: ignore[attr-defined]
        update={"smtp_host": "smtp.federation.example", "mail_from": "hub@federation.example"}
    )
    session.add(
        JobRun(
            job="purge-temp-files",
            slot=datetime(2026, 12, 1, 2, 42, tzinfo=UTC),
            started_at=datetime(2026, 12, 1, 2, 42, tzinfo=UTC),
            process="hub:2",
        )
    )
    session.flush()

    html = staff_client.get("/taches").text

    assert (
        "<strong>État</strong> — envoi d'e-mails activé : serveur "
        "smtp.federation.example:587, expéditeur hub@federation.example." in html
    )
    row = html.split('data-tache="purge-temp-files"')[1].split("</tr>")[0]
    assert "<strong>interrompue (processus arrêté pendant l&#39;exécution)</strong>" in row
