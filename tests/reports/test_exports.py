"""The report's PDF, XLSX and CSV carry the page's figures; the PDF shows the charts as images."""

import csv
import io

import openpyxl
import pypdf

from eventsys.database import db
from eventsys.speakers.models import Institution
from tests.factories import make_organiser, sign_in
from tests.reports.activity import build_activity

FORMULA = '=HYPERLINK("http://evil.example","click")'


def _signed_in_with_activity(client):
    activity = build_activity()
    # An institution whose name a spreadsheet would run as a formula, engaged through the Russian speaker.
    msu = db.session.query(Institution).filter_by(name="Lomonosov Moscow State University").one()
    msu.name = FORMULA
    db.session.commit()
    make_organiser("head@example.org", admin=True)
    sign_in(client, "head@example.org")
    return f"period=dates&start={activity.first_year}-01-01&end={activity.first_year + 2}-12-31"


def _images_on(page) -> list:
    """The image XObjects a page draws, also inside its form XObjects."""
    found = []

    def walk(resources):
        xobjects = (resources or {}).get("/XObject") or {}
        for ref in xobjects.values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Image":
                found.append(xobject)
            elif xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"))

    walk(page.get("/Resources"))
    return found


def test_the_pdf_has_the_figures_and_both_charts_as_images(app, client):
    query = _signed_in_with_activity(client)
    answer = client.get(f"/manage/reports/exchange.pdf?{query}")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "attachment" in answer.headers["Content-Disposition"]
    pdf = pypdf.PdfReader(io.BytesIO(answer.data))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "International exchange report" in text
    assert "hosted 4 international academic events" in text
    assert "13 attendees from 6 countries" in text
    assert "Beijing time" in text  # when it was made, with its zone
    assert FORMULA in text  # shown as the text it is
    images = [image for page in pdf.pages for image in _images_on(page)]
    assert len(images) >= 2
    assert all(image["/Width"] > 300 for image in images)


def test_the_xlsx_has_the_same_figures_and_no_formula(app, client):
    query = _signed_in_with_activity(client)
    answer = client.get(f"/manage/reports/exchange.xlsx?{query}")
    assert answer.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(answer.data))
    sheet = workbook["Figures"]
    figures = {(row[0].value, row[1].value): row[2].value for row in sheet.iter_rows(min_row=3)}
    assert figures["International events hosted", "All kinds"] == 4
    assert figures["International events hosted", "Lecture"] == 1
    assert figures["Foreign experts", "Online"] == 2
    assert figures["Attendees", "From abroad"] == 10
    assert figures["Attendees by country", "Russian Federation"] == 5
    assert figures["Attendees by category", "Student"] == 6
    assert figures["Honours among the speakers", "IEEE Fellow"] == 3
    assert figures["New partners", "New partners"] == 2
    named = FORMULA + " (Russian Federation)"
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == named]
    assert cells and all(cell.data_type == "s" for cell in cells)
    assert "hosted 4 international academic events" in sheet["C2"].value
    assert len(workbook["Charts"]._images) == 2


def test_the_csv_has_the_same_figures_with_formulas_defused(app, client):
    query = _signed_in_with_activity(client)
    answer = client.get(f"/manage/reports/exchange.csv?{query}")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Section", "Figure", "Value"]
    figures = {(section, item): value for section, item, value in rows[2:]}
    assert figures["International events hosted", "All kinds"] == "4"
    assert figures["Foreign experts", "In person"] == "3"
    assert figures["Speakers by country", "United Kingdom"] == "1"
    assert figures["Attendees", "Attendees"] == "13"
    assert figures["Partner institutions engaged", "Partner institutions engaged"] == "3"
    assert ("Partner institutions engaged", "'" + FORMULA + " (Russian Federation)") in figures
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_charts_are_png_images_on_the_page(app, client):
    query = _signed_in_with_activity(client)
    page = client.get(f"/manage/reports/exchange?{query}").get_data(as_text=True)
    for chart in ("attendees-by-country", "speakers-by-country"):
        assert f'src="/manage/reports/exchange/{chart}.png?' in page
        image = client.get(f"/manage/reports/exchange/{chart}.png?{query}")
        assert image.status_code == 200 and image.mimetype == "image/png"
        assert image.data.startswith(b"\x89PNG")


def test_a_file_asked_for_a_bad_period_is_refused_with_the_reason(app, client):
    make_organiser("head@example.org", admin=True)
    sign_in(client, "head@example.org")
    answer = client.get("/manage/reports/exchange.csv?period=dates&start=2025-05-01&end=2025-04-01")
    assert answer.status_code == 400
    assert "The last day cannot be before the first day" in answer.get_data(as_text=True)
