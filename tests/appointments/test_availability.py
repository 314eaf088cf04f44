"""The slot computation, tested without the database: plain data in, start times out."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from appointments.availability import Busy, ClinicCalendar, SpecialistDay, free_slots, local_instant

DETROIT = ZoneInfo("America/Detroit")
UTC = dt.UTC
MINUTES = dt.timedelta(minutes=1)
MONDAY = dt.date(2026, 12, 7)
SPRING_FORWARD = dt.date(2027, 3, 14)  # 2:00 becomes 3:00 in Detroit
FALL_BACK = dt.date(2026, 11, 1)  # 2:00 becomes 1:00 in Detroit


def at(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), DETROIT).astimezone(UTC)


def calendar(*people, closed=()):
    return ClinicCalendar(1, DETROIT, set(closed), list(people))


def person(pid, blocks, booked=(), away=()):
    """blocks: {weekday: [(\"08:00\", \"12:00\"), ...]}."""
    parsed = {
        weekday: [(dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for a, b in spans]
        for weekday, spans in blocks.items()
    }
    return SpecialistDay(pid, parsed, Busy.of(booked), Busy.of(away))


def starts(cal, first_day, last_day=None, duration=60, buffer=0, step=30, earliest=None, latest=None):
    slots = free_slots(
        cal,
        first_day=first_day,
        last_day=last_day or first_day,
        duration=dt.timedelta(minutes=duration),
        buffer=dt.timedelta(minutes=buffer),
        step=dt.timedelta(minutes=step),
        earliest=earliest or dt.datetime(2000, 1, 1, tzinfo=UTC),
        latest=latest or dt.datetime(2100, 1, 1, tzinfo=UTC),
    )
    return slots


def local_times(slots):
    return [s.start.astimezone(DETROIT).strftime("%H:%M") for s in slots]


def test_visits_fit_inside_the_working_block_on_the_step():
    cal = calendar(person(1, {0: [("09:00", "12:00")]}))

    assert local_times(starts(cal, MONDAY)) == ["09:00", "09:30", "10:00", "10:30", "11:00"]


def test_a_lunch_break_between_blocks_is_never_offered():
    cal = calendar(person(1, {0: [("08:00", "10:00"), ("11:00", "13:00")]}))

    assert local_times(starts(cal, MONDAY)) == ["08:00", "08:30", "09:00", "11:00", "11:30", "12:00"]


def test_booked_visits_and_both_buffers_block_time():
    # Booked 10:00-11:00 plus its 15-minute buffer: busy until 11:15.
    booked = [(at(MONDAY, 10), at(MONDAY, 11, 15))]
    cal = calendar(person(1, {0: [("08:00", "13:00")]}, booked=booked))

    # A new 60-minute visit also needs its own 15 minutes after it.
    assert local_times(starts(cal, MONDAY, buffer=15)) == ["08:00", "08:30", "11:30", "12:00"]


def test_time_off_blocks_the_visit_but_not_the_buffer_after_it():
    away = [(at(MONDAY, 12), at(MONDAY, 17))]
    cal = calendar(person(1, {0: [("09:00", "17:00")]}, away=away))

    assert local_times(starts(cal, MONDAY, buffer=15)) == ["09:00", "09:30", "10:00", "10:30", "11:00"]


def test_a_closed_day_has_no_times():
    cal = calendar(person(1, {0: [("09:00", "12:00")], 1: [("09:00", "10:00")]}), closed={MONDAY})

    slots = starts(cal, MONDAY, MONDAY + dt.timedelta(days=1))

    assert [s.start.astimezone(DETROIT).date() for s in slots] == [MONDAY + dt.timedelta(days=1)]


def test_minimum_notice_and_horizon_cut_the_list():
    cal = calendar(person(1, {0: [("08:00", "12:00")]}))

    slots = starts(cal, MONDAY, earliest=at(MONDAY, 9, 15), latest=at(MONDAY, 10, 30))

    assert local_times(slots) == ["09:30", "10:00", "10:30"]


def test_any_specialist_lists_everyone_free_at_each_time():
    busy_b = [(at(MONDAY, 9), at(MONDAY, 10))]
    cal = calendar(person(1, {0: [("09:00", "11:00")]}), person(2, {0: [("09:00", "11:00")]}, booked=busy_b))

    slots = {s.start.astimezone(DETROIT).strftime("%H:%M"): s.specialist_ids for s in starts(cal, MONDAY)}

    assert slots == {"09:00": (1,), "09:30": (1,), "10:00": (1, 2)}


def test_spring_forward_day_offers_no_time_that_does_not_exist():
    sunday = SPRING_FORWARD
    cal = calendar(person(1, {sunday.weekday(): [("01:00", "05:00")]}))

    slots = starts(cal, sunday, duration=30)

    assert local_times(slots) == ["01:00", "01:30", "03:00", "03:30", "04:00", "04:30"]
    # And each visit really is 30 minutes long in absolute time, within the block.
    assert all(s.start + dt.timedelta(minutes=30) <= at(sunday, 5) for s in slots)


def test_fall_back_day_offers_each_time_once():
    sunday = FALL_BACK
    cal = calendar(person(1, {sunday.weekday(): [("00:30", "03:00")]}))

    slots = starts(cal, sunday, duration=30)

    instants = [s.start for s in slots]
    assert len(instants) == len(set(instants))
    assert local_times(slots) == ["00:30", "01:00", "01:30", "02:00", "02:30"]


def test_local_instant_refuses_a_wall_time_in_the_gap():
    assert local_instant(SPRING_FORWARD, dt.time(2, 30), DETROIT) is None
    assert local_instant(SPRING_FORWARD, dt.time(3, 0), DETROIT) == dt.datetime(2027, 3, 14, 7, 0, tzinfo=UTC)


def test_busy_overlap_treats_touching_intervals_as_free():
    busy = Busy.of([(at(MONDAY, 10), at(MONDAY, 11))])

    assert not busy.overlaps(at(MONDAY, 9), at(MONDAY, 10))
    assert not busy.overlaps(at(MONDAY, 11), at(MONDAY, 12))
    assert busy.overlaps(at(MONDAY, 10, 59), at(MONDAY, 12))


# --- Properties, over random schedules ------------------------------------------------------

quarter_hours = st.integers(min_value=6 * 4, max_value=19 * 4)


@st.composite
def schedules(draw):
    day = MONDAY + dt.timedelta(days=draw(st.integers(0, 6)))
    spans = []
    for _ in range(draw(st.integers(1, 3))):
        a, b = sorted(draw(st.lists(quarter_hours, min_size=2, max_size=2, unique=True)))
        spans.append((dt.time(a // 4, a % 4 * 15), dt.time(b // 4, b % 4 * 15)))
    booked = []
    for _ in range(draw(st.integers(0, 6))):
        start = at(day, 6) + draw(st.integers(0, 13 * 60)) * MINUTES
        booked.append((start, start + draw(st.integers(15, 120)) * MINUTES))
    away = []
    for _ in range(draw(st.integers(0, 2))):
        start = at(day, 6) + draw(st.integers(0, 13 * 60)) * MINUTES
        away.append((start, start + draw(st.integers(15, 240)) * MINUTES))
    return day, spans, booked, away


@settings(max_examples=300, deadline=None)
@given(
    schedules(),
    st.sampled_from([15, 30, 45, 60, 90]),
    st.sampled_from([0, 10, 15]),
    st.sampled_from([10, 15, 30, 60]),
)
def test_no_slot_overlaps_a_booking_or_leaves_the_working_hours(schedule, duration, buffer, step):
    day, spans, booked, away = schedule
    # Overlapping blocks are refused by admin validation; keep the generated ones apart.
    spans = _disjoint(spans)
    cal = calendar(SpecialistDay(1, {day.weekday(): spans}, Busy.of(booked), Busy.of(away)))

    for slot in starts(cal, day, duration=duration, buffer=buffer, step=step):
        end = slot.start + duration * MINUTES
        assert any(at(day, a.hour, a.minute) <= slot.start and end <= at(day, b.hour, b.minute) for a, b in spans)
        assert all(end + buffer * MINUTES <= s or slot.start >= e for s, e in booked)
        assert all(end <= s or slot.start >= e for s, e in away)


@settings(max_examples=200, deadline=None)
@given(schedules(), st.sampled_from([15, 30, 60]), st.sampled_from([15, 30]))
def test_with_nothing_booked_every_step_that_fits_is_offered(schedule, duration, step):
    day, spans, _, _ = schedule
    spans = _disjoint(spans)
    cal = calendar(SpecialistDay(1, {day.weekday(): spans}))

    expected = sum(
        max(0, ((b.hour * 60 + b.minute) - (a.hour * 60 + a.minute) - duration) // step + 1) for a, b in spans
    )
    assert len(starts(cal, day, duration=duration, step=step)) == expected


def _disjoint(spans):
    kept = []
    for a, b in sorted(spans):
        if not kept or a >= kept[-1][1]:
            kept.append((a, b))
    return kept
