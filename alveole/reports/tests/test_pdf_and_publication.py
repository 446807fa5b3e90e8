"""The report's PDF built by a task with its progress; the cache; the director's publication."""

from __future__ import annotations

import datetime
import io

import pypdfium2
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from alveole.people.services import associate_join
from alveole.reports.figures import report_compute
from alveole.reports.models import ReportPdf, ReportPublication
from alveole.reports.presentation import display
from alveole.reports.tests.conftest import customer, sale
from alveole.sales.models import Customer

D = datetime.date


def _request_pdf(client, django_capture_on_commit_callbacks, year=2025):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/report/{year}/pdf/")
    assert response.status_code == 302
    return response


def test_the_pdf_is_built_by_a_task_then_downloaded(
    coop_2025, django_capture_on_commit_callbacks, tmp_path
):
    client = coop_2025.director.client
    response = _request_pdf(client, django_capture_on_commit_callbacks)
    pdf = ReportPdf.objects.get()
    assert response["Location"] == f"/report/2025/pdf/{pdf.pk}/"
    assert (pdf.status, pdf.progress, pdf.show_rsa) == (ReportPdf.Status.DONE, 100, True)
    page = client.get(response["Location"]).content.decode()
    assert f"/report/2025/pdf/{pdf.pk}/download/" in page
    download = client.get(f"/report/2025/pdf/{pdf.pk}/download/")
    assert download["Content-Type"] == "application/pdf"
    content = download.content
    assert content.startswith(b"%PDF")
    # it renders: every page rasterises to a non-blank PNG
    document = pypdfium2.PdfDocument(content)
    for index in range(len(document)):
        image = document[index].render(scale=0.5).to_pil()
        target = tmp_path / f"page-{index}.png"
        image.save(target)
        assert target.read_bytes().startswith(b"\x89PNG")
        assert image.convert("L").getextrema()[0] < 128  # some ink on the page
    # and it contains every figure: each label, and each single value as printed
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(p.extract_text() for p in reader.pages).replace("\n", " ")
    flat = " ".join(text.split())
    for figure in report_compute(year=2025, show_rsa=True).figures.values():
        assert " ".join(figure.label.split()) in flat, figure.key
        if figure.value is not None and not isinstance(figure.value, dict):
            printed = display(figure.value, figure.unit).replace("\u202f", " ")
            assert printed in flat.replace("\u202f", " "), (figure.key, printed)
    # asking again for the same data reuses the PDF
    again = _request_pdf(client, django_capture_on_commit_callbacks)
    assert again["Location"] == f"/report/2025/pdf/{pdf.pk}/"
    assert ReportPdf.objects.count() == 1
    assert client.get("/report/2025/pdf/")["Location"] == f"/report/2025/pdf/{pdf.pk}/download/"


def test_the_job_page_shows_progress_until_ready(coop_2025):
    pdf = ReportPdf.objects.create(
        year=2025,
        show_rsa=False,
        stamp="x",
        status="running",
        progress=40,
        step="Dessin des graphiques",
    )
    client = coop_2025.accountant.client
    page = client.get(f"/report/2025/pdf/{pdf.pk}/").content.decode()
    assert 'aria-valuenow="40"' in page
    assert 'hx-trigger="every 2s"' in page
    assert "Dessin des graphiques" in page
    assert client.get(f"/report/2025/pdf/{pdf.pk}/download/").status_code == 404  # not ready
    partial = client.get(f"/report/2025/pdf/{pdf.pk}/", headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()


def test_a_failed_build_says_so(coop_2025, django_capture_on_commit_callbacks, monkeypatch):
    def broken(context):
        raise RuntimeError("plus de place sur le disque")

    monkeypatch.setattr("alveole.reports.services.pdf_from_context", broken)
    _request_pdf(coop_2025.staff.client, django_capture_on_commit_callbacks)
    pdf = ReportPdf.objects.get()
    assert pdf.status == ReportPdf.Status.FAILED
    assert (
        "plus de place"
        in coop_2025.staff.client.get(f"/report/2025/pdf/{pdf.pk}/").content.decode()
    )


def test_pdf_permissions(coop_2025, django_capture_on_commit_callbacks):
    response = coop_2025.entrepreneur.client.post("/report/2025/pdf/")
    assert response.status_code == 403
    _request_pdf(coop_2025.director.client, django_capture_on_commit_callbacks)
    with_rsa = ReportPdf.objects.get()
    # the accountant may not see the RSA split: not the director's PDF
    accountant = coop_2025.accountant.client
    assert accountant.get(f"/report/2025/pdf/{with_rsa.pk}/download/").status_code == 404
    assert coop_2025.entrepreneur.client.get(f"/report/2025/pdf/{with_rsa.pk}/").status_code == 404
    assert coop_2025.anonymous.client.get("/report/2025/pdf/").status_code == 302


def test_the_page_is_computed_once_per_data_version(coop_2025):
    client = coop_2025.staff.client

    def load():
        with CaptureQueriesContext(connection) as captured:
            html = client.get("/report/2025/").content.decode()
        return html, len(captured.captured_queries)

    _html, first = load()
    second_html, second = load()
    assert second < first - 20  # figures and charts come from the cache
    assert "2\u202f400\u202f€" in second_html
    alice = coop_2025.entrepreneur.business
    sale(alice, customer(alice, Customer.Kind.COMPANY, "32000"), "600", D(2025, 9, 1))
    third_html, third = load()  # a new invoice: a new version of the data
    assert third > second
    assert "3\u202f000\u202f€" in third_html


def test_only_the_director_publishes_and_then_associates_read(coop_2025):
    alice = coop_2025.entrepreneur
    assert alice.client.get("/report/2025/").status_code == 403
    assert coop_2025.staff.client.post("/report/2025/publication/").status_code == 403
    assert not ReportPublication.objects.exists()
    response = coop_2025.director.client.post("/report/2025/publication/")
    assert response.status_code == 302
    assert ReportPublication.objects.get().year == 2025
    # Alice is not an associate: published or not, the report is not hers to read
    assert alice.client.get("/report/2025/").status_code == 403
    associate_join(actor=None, person=alice.person, date=D(2025, 1, 1))
    html = alice.client.get("/report/2025/").content.decode()
    assert "2\u202f400\u202f€" in html
    assert 'href="/sales/invoices/?date_from' not in html  # no drill-down to lists she cannot see
    assert "Bénéficiaires du RSA" not in html
    assert alice.client.get("/report/2024/").status_code == 403  # another year: not published
    assert "2025" in alice.client.get("/").content.decode()  # the home links to it
    coop_2025.director.client.post("/report/2025/publication/", {"action": "unpublish"})
    assert alice.client.get("/report/2025/").status_code == 403


def test_publishing_twice_or_the_current_year_is_refused(coop_2025):
    director = coop_2025.director.client
    director.post("/report/2025/publication/")
    response = director.post("/report/2025/publication/", follow=True)
    assert "déjà publié" in response.content.decode()
    this_year = datetime.date.today().year
    response = director.post(f"/report/{this_year}/publication/", follow=True)
    assert "année terminée" in response.content.decode()
    assert ReportPublication.objects.count() == 1


def test_without_a_worker_the_page_offers_to_build_at_once(coop_2025):
    from alveole.reports.selectors import data_stamp

    pdf = ReportPdf.objects.create(year=2025, show_rsa=False, stamp=data_stamp(2025))
    ReportPdf.objects.filter(pk=pdf.pk).update(
        created_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    )
    client = coop_2025.accountant.client
    assert "Le fabriquer maintenant" in client.get(f"/report/2025/pdf/{pdf.pk}/").content.decode()
    response = client.post(f"/report/2025/pdf/{pdf.pk}/now/")
    assert response.status_code == 302
    pdf.refresh_from_db()
    assert pdf.status == ReportPdf.Status.DONE
    assert bytes(pdf.content).startswith(b"%PDF")
    # a job already taken is not built twice
    assert client.post(f"/report/2025/pdf/{pdf.pk}/now/").status_code == 302
    assert coop_2025.entrepreneur.client.post(f"/report/2025/pdf/{pdf.pk}/now/").status_code == 404
