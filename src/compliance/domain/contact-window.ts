import { addDays } from "../../kernel/calendar-date.js";
import { instantAt, localTime } from "./local-time.js";
import type { ContactWindow } from "./profile.js";

export type WindowCheck =
  | { readonly inside: true }
  | {
      readonly inside: false;
      /** The first instant inside the window in every zone, or null when there is none soon. */
      readonly opensAt: number | null;
      /** The zone that is outside at the moment, and its wall clock, for the log. */
      readonly zone: string;
      readonly localClock: string;
    };

/** Far enough ahead to cross any pair of zones; beyond it the intersection is empty. */
const SEARCH_DAYS = 8;

/**
 * Whether `instant` lies inside the window [start, end) in every one of the debtor's zones
 * (12 CFR 1006.6(b)(1)(i): 08:00 allowed, 21:00 not, US-TIME-04; a debtor with several known
 * zones must be inside all of them, US-TIME-05), and if not, when it next is.
 */
export function checkContactWindow(
  instant: number,
  zones: readonly string[],
  window: Pick<ContactWindow, "start" | "end">,
): WindowCheck {
  const first = outsideIn(instant, zones, window);
  if (!first) return { inside: true };
  let at = instant;
  for (let pass = 0; pass < 4 * zones.length + 4; pass++) {
    const outside = outsideIn(at, zones, window);
    if (!outside) return { ...first, opensAt: at };
    at = Math.max(at + 1000, outside.opensAt);
    if (at - instant > SEARCH_DAYS * 86_400_000) break;
  }
  return { ...first, opensAt: null };
}

function outsideIn(
  instant: number,
  zones: readonly string[],
  { start, end }: Pick<ContactWindow, "start" | "end">,
): { inside: false; zone: string; localClock: string; opensAt: number } | undefined {
  for (const zone of zones) {
    const local = localTime(instant, zone);
    if (local.seconds >= start * 60 && local.seconds < end * 60) continue;
    // Before the start: today's opening; after the end: tomorrow's.
    const day = local.seconds < start * 60 ? local.date : addDays(local.date, 1);
    return {
      inside: false,
      zone,
      localClock: clockText(Math.floor(local.seconds / 60)),
      opensAt: instantAt(day, start, zone),
    };
  }
  return undefined;
}

export function clockText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}
