"""Cron expressions as APScheduler triggers, with standard cron day-of-week numbers.

APScheduler 3 numbers weekdays from Monday (0) and ``CronTrigger.from_crontab`` passes
numbers through unchanged, so ``0 9 * * 1`` would fire on Tuesdays. Here numeric
day-of-week fields use the crontab meaning (0 or 7 = Sunday) and are rewritten as names.
A sixth leading field (seconds) is accepted for tests and sub-minute schedules.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger

DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _day(value: str) -> str:
    if value.isdigit():
        number = int(value)
        if number > 7:
            raise ValueError(f"day of week {number} out of range 0-7")
        return DAY_NAMES[number % 7]
    return value


def _expand(start: int, end: int, step: int) -> list[str]:
    return list(dict.fromkeys(DAY_NAMES[n % 7] for n in range(start, end + 1, step)))


def crontab_day_of_week(field: str) -> str:
    """A crontab day-of-week field in APScheduler's spelling (names, not numbers)."""
    parts: list[str] = []
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base in ("*", "?"):
            parts += ["*"] if step == 1 else _expand(0, 6, step)
        elif "-" in base and step_text:
            start, end = base.split("-", 1)
            if not (start.isdigit() and end.isdigit()):
                parts.append(part)
                continue
            parts += _expand(int(start), int(end), step)
        elif "-" in base:
            start, end = base.split("-", 1)
            parts.append(f"{_day(start)}-{_day(end)}")
        else:
            parts.append(_day(base))
    return ",".join(parts)


def cron_trigger(expression: str, timezone: tzinfo | str = "UTC") -> CronTrigger:
    """A trigger from a 5-field crontab (or 6 fields, seconds first); ValueError if invalid."""
    fields = expression.split()
    if len(fields) not in (5, 6):
        raise ValueError(f"wrong number of fields; got {len(fields)}, expected 5 or 6")
    second = fields.pop(0) if len(fields) == 6 else "0"
    minute, hour, day, month, day_of_week = fields
    return CronTrigger(
        second=second,
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=crontab_day_of_week(day_of_week),
        timezone=timezone,
    )


def next_fire_time(expression: str, after: datetime) -> datetime | None:
    """When the schedule next fires strictly after ``after`` (an aware datetime)."""
    trigger = cron_trigger(expression, after.tzinfo or "UTC")
    return trigger.get_next_fire_time(None, after.replace(microsecond=0) + timedelta(seconds=1))
