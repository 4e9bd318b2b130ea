from datetime import UTC, datetime

from coaching import ics


def test_calendar_escapes_folds_and_uses_crlf():
    event = ics.IcsEvent(
        uid="coaching-session-1@vamos",
        start=datetime(2026, 3, 30, 8, tzinfo=UTC),
        end=datetime(2026, 3, 30, 9, 30, tzinfo=UTC),
        summary="Coaching; Verein, Köln\nZweite Zeile",
        sequence=2,
        location="Raum 1, Haus\\B",
        description="ä" * 60,
    )
    text = ics.calendar([event], now=datetime(2026, 3, 1, tzinfo=UTC))
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "SUMMARY:Coaching\\; Verein\\, Köln\\nZweite Zeile\r\n" in text
    assert "LOCATION:Raum 1\\, Haus\\\\B\r\n" in text
    assert "DTSTART:20260330T080000Z\r\n" in text
    assert "SEQUENCE:2\r\n" in text
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:" + "ä" * 60 + "\r\n" in unfolded
    assert "METHOD:REQUEST" in text


def test_cancelled_event_cancels():
    event = ics.IcsEvent(
        uid="x@vamos",
        start=datetime(2026, 1, 1, tzinfo=UTC),
        end=datetime(2026, 1, 1, 1, tzinfo=UTC),
        summary="x",
        cancelled=True,
    )
    text = ics.calendar([event])
    assert "METHOD:CANCEL\r\n" in text and "STATUS:CANCELLED\r\n" in text
