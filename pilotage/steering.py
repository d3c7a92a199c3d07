"""The steering committee's report in its session pack: the programme report of the
period in force on the session's day (`pilotage.reports.programme_report_html`).

`comites.pdf` builds the pack and knows nothing of the indicators: `PilotageConfig.ready`
registers `steering_report_pages` with it (`comites.pdf.register_steering_report`).
"""

from django.utils import timezone

from comites.models import Session
from pilotage.reports import period_on, programme_report_html


def steering_report_pages(session: Session) -> list[str]:
    """The programme report as of the session's day (or today, or the period's end, if
    earlier), as one self-contained HTML page; none when the basin has no programme
    period yet."""
    basin = session.committee.basin
    period = period_on(basin, session.day)
    if period is None:
        return []
    as_of = min(session.day, timezone.localdate(), period.end_date)
    return [programme_report_html(basin, period, today=as_of)]
