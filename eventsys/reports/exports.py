"""The exchange report as a file: CSV and XLSX rows, and a PDF with the charts.

All three carry the rows of `figure_rows`, which the page shows too, so the files
and the page cannot disagree. Institution names are typed by organisers and may
start like a formula: CSV cells are defused as the registrations export does, and
XLSX cells are written as strings, never as formulas. The PDF is the page's HTML
(escaped by Jinja like every page) rendered by WeasyPrint, which may load nothing
but the charts given inline as data: URLs.
"""

import base64
import csv
import io
from datetime import date

import xlsxwriter
from flask import render_template
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from eventsys.countries import country_name
from eventsys.events.manage_forms import KIND_LABELS
from eventsys.registration.export import defused
from eventsys.registration.forms import CATEGORY_LABELS
from eventsys.reports import charts
from eventsys.reports.periods import REPORT_TIMEZONE
from eventsys.reports.services import ExchangeReport, Partner
from eventsys.reports.summary import honour_label, summary_paragraph
from eventsys.timezones import place_of

#: (section, item, value): one figure of the report
Row = tuple[str, str, int | str]


def _partner_item(partner: Partner) -> str:
    return f"{partner.name} ({country_name(partner.country)})"


def _since(partner: Partner) -> str:
    return partner.partner_since.isoformat() if partner.partner_since else ""


def figure_rows(report: ExchangeReport) -> list[Row]:
    """Every figure of the report as (section, item, value), in the page's order and language."""
    period, events, experts = _("Period"), _("International events hosted"), _("Foreign experts")
    rows: list[Row] = [
        (period, _("First day"), report.period.first.isoformat()),
        (period, _("Last day"), report.period.last.isoformat()),
        (period, _("Host country"), country_name(report.host_country)),
    ]
    rows += [(events, str(KIND_LABELS[kind]), n) for kind, n in report.events_by_kind.items()]
    rows.append((events, _("All kinds"), report.events))
    rows += [
        (experts, _("Foreign experts"), report.foreign_experts),
        (experts, _("In person"), report.foreign_in_person),
        (experts, _("Online"), report.foreign_online),
        (experts, _("Countries of the foreign experts"), report.foreign_expert_countries),
        (experts, _("All speakers, the host country's included"), report.speakers),
    ]
    rows += [(_("Speakers by country"), country_name(code), n) for code, n in report.speakers_by_country]
    attendees = _("Attendees")
    rows += [
        (attendees, _("Attendees"), report.attendees),
        (attendees, _("From abroad"), report.foreign_attendees),
        (attendees, _("Countries"), report.attendee_countries),
    ]
    rows += [(_("Attendees by country"), country_name(code), n) for code, n in report.attendees_by_country]
    rows += [(_("Attendees by category"), str(CATEGORY_LABELS[category]), n)
             for category, n in report.attendees_by_category.items()]
    engaged, new = _("Partner institutions engaged"), _("New partners")
    rows += [(engaged, _partner_item(p), _since(p)) for p in report.partners_engaged]
    rows.append((engaged, engaged, len(report.partners_engaged)))
    rows += [(new, _partner_item(p), _since(p)) for p in report.new_partners]
    rows.append((new, new, len(report.new_partners)))
    rows += [(_("Honours among the speakers"), honour_label(name), n) for name, n in report.honours]
    return rows


def _headers() -> list[str]:
    return [_("Section"), _("Figure"), _("Value")]


def csv_text(report: ExchangeReport) -> str:
    """The report as CSV, with a byte-order mark so spreadsheets read it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_headers())
    writer.writerow([_("Summary"), "", defused(summary_paragraph(report))])
    for section, item, value in figure_rows(report):
        writer.writerow([defused(section), defused(item),
                         value if isinstance(value, int) else defused(value)])
    return "\ufeff" + out.getvalue()


def xlsx_bytes(report: ExchangeReport) -> bytes:
    """The report as an XLSX workbook: the figures on one sheet, the two charts on another."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    bold = workbook.add_format({"bold": True})
    wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet = workbook.add_worksheet(_("Figures")[:31])
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 2, 14)
    for column, header in enumerate(_headers()):
        sheet.write_string(0, column, header, bold)
    sheet.write_string(1, 0, _("Summary"))
    sheet.write_string(1, 2, summary_paragraph(report), wrapped)
    for row, (section, item, value) in enumerate(figure_rows(report), start=2):
        sheet.write_string(row, 0, section)
        sheet.write_string(row, 1, item)
        if isinstance(value, int):
            sheet.write_number(row, 2, value)
        else:
            sheet.write_string(row, 2, value)
    pictures = workbook.add_worksheet(_("Charts")[:31])
    pictures.insert_image(0, 0, "attendees.png", {"image_data": io.BytesIO(charts.attendees_chart(report))})
    pictures.insert_image(0, 12, "speakers.png", {"image_data": io.BytesIO(charts.speakers_chart(report))})
    workbook.close()
    return out.getvalue()


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def pdf_bytes(report: ExchangeReport, generated_at: str) -> bytes:
    """The report as a PDF: the page's figures and summary, with both charts embedded."""
    html = render_template(
        "reports/exchange_pdf.html", **page_context(report), generated_at=generated_at,
        attendees_chart=_data_url(charts.attendees_chart(report)),
        speakers_chart=_data_url(charts.speakers_chart(report)),
    )
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


def page_context(report: ExchangeReport) -> dict:
    """What the report's templates (page and PDF) need besides the report itself."""
    return {"report": report, "summary": summary_paragraph(report), "rows": figure_rows(report),
            "kind_labels": KIND_LABELS, "category_labels": CATEGORY_LABELS, "country_name": country_name,
            "honour_label": honour_label, "number": format_decimal, "format_date": format_date,
            "zone_place": place_of(REPORT_TIMEZONE)}


def file_name(report: ExchangeReport, extension: str) -> str:
    """exchange-report-2024-01-01-2024-12-31.pdf"""
    first, last = report.period.first, report.period.last
    return f"exchange-report-{_iso(first)}-{_iso(last)}.{extension}"


def _iso(day: date) -> str:
    return day.isoformat()
