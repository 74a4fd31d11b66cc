"""Dates in tokens, formatted as CiviCRM's ``crmDate`` does (``CRM_Utils_Date::customFormat``).

Formats are CiviCRM's ``%`` codes (not strftime's): ``%B %E%f, %Y`` gives
``May 3rd, 1980``. Named formats stand for the site's date settings; civisms uses
CiviCRM's shipped defaults (a site that changed them in Administer > Localization > Date
Formats renders differently; read from settings in a later version).
"""

from __future__ import annotations

import re
from datetime import date, datetime

#: The ``dateformat*`` settings CiviCRM ships, by the names ``crmDate`` accepts.
NAMED_FORMATS = {
    "Datetime": "%B %E%f, %Y %l:%M %P",
    "Full": "%B %E%f, %Y",
    "Partial": "%B %Y",
    "Time": "%l:%M %P",
    "Year": "%Y",
    "FinancialBatch": "%m/%d/%Y",
    "shortdate": "%m/%d/%Y",
}

_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_CODE = re.compile(r"%[AabBdeEfHhIklmMipPYysSZ]")


def as_datetime(value: object) -> datetime | None:
    """A ``datetime`` from a DB/API value (``date``, ``datetime``, ISO string), else None."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str) and value.strip():
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _suffix(day: int) -> str:
    if day % 10 == 1 and day != 11:
        return "st"
    if day % 10 == 2 and day != 12:
        return "nd"
    if day % 10 == 3 and day != 13:
        return "rd"
    return "th"


def _parts(moment: datetime, with_zone: bool) -> dict[str, str]:
    hour12 = moment.hour % 12 or 12
    day, month = moment.day, moment.month
    return {
        "%A": _DAYS[(moment.weekday() + 1) % 7],
        "%a": _DAYS[(moment.weekday() + 1) % 7][:3],
        "%b": _MONTHS[month - 1][:3],
        "%B": _MONTHS[month - 1],
        "%d": f"{day:02d}",
        "%e": f"{day:2d}",
        "%E": str(day),
        "%f": _suffix(day),
        "%H": f"{moment.hour:02d}",
        "%h": f"{hour12:02d}",
        "%I": f"{hour12:02d}",
        "%k": f"{moment.hour:2d}",
        "%l": f"{hour12:2d}",
        "%m": f"{month:02d}",
        "%M": f"{moment.minute:02d}",
        "%i": f"{moment.minute:02d}",
        "%p": "am" if moment.hour < 12 else "pm",
        "%P": "AM" if moment.hour < 12 else "PM",
        "%Y": str(moment.year),
        "%y": str(moment.year)[2:],
        "%s": f"{moment.second:02d}",
        "%S": f"{moment.second:02d}",
        # Only when asked: naive DB values are read as the server's local time, like PHP.
        "%Z": (moment.astimezone().tzname() or "") if with_zone else "",
    }


def crm_date(moment: datetime, fmt: str | None = None) -> str:
    """Format like ``{token|crmDate:"fmt"}``: a named format, ``%`` codes, or (None) the
    date-and-time format, which is what CiviCRM applies to ``crmDate`` without argument."""
    fmt = NAMED_FORMATS.get(fmt, fmt) if fmt else NAMED_FORMATS["Datetime"]
    # CiviCRM keeps %D as an alias of %m/%d/%y.
    fmt = fmt.replace("%D", "%m/%d/%y")
    parts = _parts(moment, "%Z" in fmt)
    return _CODE.sub(lambda m: parts[m.group(0)], fmt)


def default_date_text(moment: datetime) -> str:
    """A date token without filter: ``Full`` at midnight (dates), else ``Datetime``."""
    if moment.hour == moment.minute == moment.second == 0:
        return crm_date(moment, "Full")
    return crm_date(moment, "Datetime")
