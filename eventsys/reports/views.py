"""The exchange report's page, charts and files (routes of the /manage/ blueprint).

Every signed-in organiser may open it; what it counts depends on who asks (an admin's
report covers every event, an organiser's the events they manage: services.py).
"""

from flask import Response, abort, current_app, render_template, request
from flask_login import current_user

from eventsys.database import utcnow
from eventsys.manage import bp
from eventsys.manage.access import office_page
from eventsys.reports import charts, exports
from eventsys.reports.forms import PeriodForm
from eventsys.reports.periods import REPORT_TIMEZONE, today_at_school
from eventsys.reports.services import ExchangeReport, exchange_report
from eventsys.timezones import in_zone

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report_asked_for() -> tuple[PeriodForm, ExchangeReport | None]:
    """The period form read from the query string, and the report when the period is a valid one."""
    form = PeriodForm(formdata=request.args)
    if request.args and not form.validate():
        return form, None
    now = utcnow()
    period = form.chosen_period(today_at_school(now))
    return form, exchange_report(period, current_user, current_app.config["HOST_COUNTRY"], now)


def _valid_report() -> ExchangeReport:
    """The report for a file or a chart; a link with a bad period is a 400, its errors in the text."""
    form, report = _report_asked_for()
    if report is None:
        abort(400, " ".join(str(error) for field in form for error in field.errors))
    return report


def _query() -> dict[str, str]:
    """The period's fields as they were sent, for the links to the charts and files."""
    return {name: request.args[name] for name in ("period", "year", "start", "end") if request.args.get(name)}


@bp.get("/reports/exchange")
@office_page
def exchange_report_page():
    """The report of the chosen period (the last three years at first), with its charts and exports."""
    form, report = _report_asked_for()
    context = {"form": form, "query": _query()}
    if report is None:
        return render_template("reports/exchange.html", report=None, **context), 422
    return render_template("reports/exchange.html", **exports.page_context(report), **context)


@bp.get("/reports/exchange/attendees-by-country.png", defaults={"chart": "attendees"})
@bp.get("/reports/exchange/speakers-by-country.png", defaults={"chart": "speakers"})
@office_page
def exchange_report_chart(chart: str):
    """One of the report's bar charts, as a PNG image."""
    report = _valid_report()
    png = charts.attendees_chart(report) if chart == "attendees" else charts.speakers_chart(report)
    # The figures change with every registration: a browser keeps none of them.
    return Response(png, mimetype="image/png", headers={"Cache-Control": "private, no-store"})


@bp.get("/reports/exchange.pdf", defaults={"fmt": "pdf"})
@bp.get("/reports/exchange.csv", defaults={"fmt": "csv"})
@bp.get("/reports/exchange.xlsx", defaults={"fmt": "xlsx"})
@office_page
def export_exchange_report(fmt: str):
    """The report of the period as a PDF, CSV or XLSX download."""
    report = _valid_report()
    headers = {"Content-Disposition": f'attachment; filename="{exports.file_name(report, fmt)}"',
               "Cache-Control": "private, no-store"}
    if fmt == "csv":
        return Response(exports.csv_text(report), mimetype="text/csv", headers=headers)
    if fmt == "xlsx":
        return Response(exports.xlsx_bytes(report), mimetype=XLSX_MIMETYPE, headers=headers)
    generated_at = in_zone(utcnow(), REPORT_TIMEZONE)
    return Response(exports.pdf_bytes(report, generated_at), mimetype="application/pdf", headers=headers)

