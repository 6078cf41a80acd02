import type { CalendarDate } from "../../kernel/calendar-date.js";

/** A wall-clock reading in one time zone. */
export type LocalTime = {
  readonly date: CalendarDate;
  /** Seconds since local midnight. */
  readonly seconds: number;
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, format);
  }
  return format;
}

/** The wall clock in `zone` at `instant` (ms since the epoch); the zone's rules come from ICU. */
export function localTime(instant: number, zone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(new Date(instant)))
    parts[part.type] = part.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}` as CalendarDate,
    seconds: Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second),
  };
}

/**
 * The instant at which the wall clock in `zone` shows `date` at `minutes` past midnight.
 * Two passes of "guess the offset, correct it" settle on the right side of a daylight-saving
 * switch; a reading inside a spring-forward gap (02:30 on the switch night) lands just after it.
 */
export function instantAt(date: CalendarDate, minutes: number, zone: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d) + minutes * 60_000;
  let instant = wall;
  for (let pass = 0; pass < 2; pass++) {
    const seen = localTime(instant, zone);
    const seenWall = Date.parse(`${seen.date}T00:00:00Z`) + seen.seconds * 1000;
    instant += wall - seenWall;
  }
  return instant;
}
