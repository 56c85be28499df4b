# Reads an iCalendar document from stdin with the `icalendar` package (an
# independent parser) and prints, as JSON, what a calendar program would
# take from it: the calendar's properties, each VTIMEZONE's entries, and for
# each event its text fields and its start and end in UTC read three ways:
#   - "icalendar": as the package resolves the TZID (zoneinfo by name);
#   - "vtimezone": through a tzinfo built from the document's own VTIMEZONE
#     (icalendar's to_tz without looking the name up, i.e. dateutil's tzical);
#   - "offsets": by hand from the VTIMEZONE's STANDARD/DAYLIGHT entries:
#     the entry whose onset precedes the wall time gives TZOFFSETTO, and
#     UTC = wall time - that offset. A wall time before the first entry is
#     an error (the VTIMEZONE does not cover it).
# It also reports physical lines longer than 75 octets and bare LFs.
import json
import sys
from datetime import datetime, timezone

try:
    import icalendar
    from icalendar.parser.property import unescape_backslash
except ImportError as e:
    print(f"import icalendar failed: {e}", file=sys.stderr)
    sys.exit(3)

UTC = timezone.utc


def iso(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def plus(text, length):
    """An exact length added to a UTC instant written by iso()."""
    return iso(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) + length)


def entries(vtz):
    out = []
    for sub in vtz.subcomponents:
        if sub.name not in ("STANDARD", "DAYLIGHT"):
            raise ValueError(f"unexpected {sub.name} in VTIMEZONE")
        if "RRULE" in sub or "RDATE" in sub:
            raise ValueError("expected explicit entries without RRULE/RDATE")
        start = sub.decoded("DTSTART")
        if start.tzinfo is not None:
            raise ValueError(f"VTIMEZONE DTSTART must be local: {start!r}")
        frm = sub.decoded("TZOFFSETFROM")
        to = sub.decoded("TZOFFSETTO")
        out.append(
            {
                "kind": sub.name,
                "onset_utc": start - frm,
                "start": start.strftime("%Y%m%dT%H%M%S"),
                "from": frm.total_seconds(),
                "to": to.total_seconds(),
                "to_delta": to,
                "name": str(sub.get("TZNAME", "")),
            }
        )
    out.sort(key=lambda e: e["onset_utc"])
    return out


def by_offsets(wall, table):
    for i, e in enumerate(table):
        candidate = wall - e["to_delta"]
        following = table[i + 1]["onset_utc"] if i + 1 < len(table) else None
        if candidate >= e["onset_utc"] and (following is None or candidate < following):
            return candidate.replace(tzinfo=UTC)
    raise ValueError(f"wall time {wall} is not covered by the VTIMEZONE")


def readings(prop, tables, tzinfos):
    """A DTSTART/DTEND read the three ways."""
    dt = prop.dt
    tzid = prop.params.get("TZID")
    if tzid is None:
        if dt.tzinfo is None:
            raise ValueError(f"floating time {dt}")
        return {"tzid": None, "icalendar": iso(dt), "vtimezone": iso(dt), "offsets": iso(dt)}
    wall = dt.replace(tzinfo=None)
    return {
        "tzid": str(tzid),
        "wall": wall.strftime("%Y%m%dT%H%M%S"),
        "icalendar": iso(dt),
        "vtimezone": iso(wall.replace(tzinfo=tzinfos[tzid])),
        "offsets": iso(by_offsets(wall, tables[tzid])),
    }


def main():
    raw = sys.stdin.buffer.read()
    long_lines = [
        i for i, line in enumerate(raw.split(b"\r\n")) if len(line) > 75
    ]
    bare_lf = raw.replace(b"\r\n", b"").count(b"\n")
    cal = icalendar.Calendar.from_ical(raw)
    errors = [
        f"{c.name}: {e}" for c in cal.walk() for e in getattr(c, "errors", [])
    ]
    tables = {}
    tzinfos = {}
    zones = {}
    for vtz in cal.walk("VTIMEZONE"):
        tzid = str(vtz["TZID"])
        tables[tzid] = entries(vtz)
        tzinfos[tzid] = vtz.to_tz(lookup_tzid=False)
        zones[tzid] = [
            {k: v for k, v in e.items() if k not in ("onset_utc", "to_delta")}
            for e in tables[tzid]
        ]
    events = []
    for ev in cal.walk("VEVENT"):
        start = readings(ev["DTSTART"], tables, tzinfos)
        if "DTEND" in ev:
            end = readings(ev["DTEND"], tables, tzinfos)
        else:
            length = ev.decoded("DURATION")
            end = {k: plus(start[k], length) for k in ("icalendar", "vtimezone", "offsets")}
            end["tzid"] = start["tzid"]
            end["duration_seconds"] = length.total_seconds()
        organizer = ev.get("ORGANIZER")
        events.append(
            {
                "uid": str(ev["UID"]),
                "sequence": int(ev["SEQUENCE"]),
                "summary": str(ev["SUMMARY"]),
                "description": str(ev["DESCRIPTION"]) if "DESCRIPTION" in ev else None,
                "location": str(ev["LOCATION"]) if "LOCATION" in ev else None,
                "url": str(ev["URL"]) if "URL" in ev else None,
                "status": str(ev["STATUS"]),
                "dtstamp": iso(ev.decoded("DTSTAMP")),
                "created": iso(ev.decoded("CREATED")),
                "last_modified": iso(ev.decoded("LAST-MODIFIED")),
                "organizer": None
                if organizer is None
                else {"cn": str(organizer.params.get("CN")), "address": str(organizer)},
                "start": start,
                "end": end,
            }
        )
    print(
        json.dumps(
            {
                "icalendar_version": icalendar.__version__,
                "version": str(cal.get("VERSION")),
                "prodid": str(cal.get("PRODID")),
                "method": str(cal.get("METHOD")),
                "calscale": str(cal.get("CALSCALE")),
                # icalendar does not know NAME (RFC 7986) is TEXT, so it is
                # unescaped here with icalendar's own TEXT unescaper.
                "name": unescape_backslash(cal["NAME"].to_ical().decode()),
                "x_wr_calname": cal["X-WR-CALNAME"].to_ical().decode(),
                "description": str(cal["DESCRIPTION"]) if "DESCRIPTION" in cal else None,
                "x_wr_caldesc": cal["X-WR-CALDESC"].to_ical().decode() if "X-WR-CALDESC" in cal else None,
                "errors": errors,
                "long_lines": long_lines,
                "bare_lf": bare_lf,
                "zones": zones,
                "events": events,
            }
        )
    )


main()
