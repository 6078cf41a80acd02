import { describe, expect, it } from "vitest";
import { checkContactWindow } from "./contact-window.js";
import { instantAt, localTime } from "./local-time.js";

const WINDOW = { start: 8 * 60, end: 21 * 60 };
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe("the contact window in the debtor's local time", () => {
  it("allows 08:00:00 and refuses 20:59:59 + 1 s, i.e. [08:00, 21:00) (US-TIME-04)", () => {
    // New York in winter is UTC−5.
    expect(checkContactWindow(at("2026-01-15T13:00:00Z"), ["America/New_York"], WINDOW)).toEqual({
      inside: true,
    });
    expect(
      checkContactWindow(at("2026-01-15T12:59:59Z"), ["America/New_York"], WINDOW),
    ).toMatchObject({
      inside: false,
      localClock: "07:59",
    });
    expect(
      checkContactWindow(at("2026-01-16T01:59:59Z"), ["America/New_York"], WINDOW).inside,
    ).toBe(true);
    const closed = checkContactWindow(at("2026-01-16T02:00:00Z"), ["America/New_York"], WINDOW);
    expect(closed).toMatchObject({ inside: false, localClock: "21:00" });
    // After 21:00 the next opening is 08:00 the next morning.
    expect(!closed.inside && iso(closed.opensAt)).toBe("2026-01-16T13:00:00.000Z");
  });

  it("follows the spring switch in New York (8 March 2026: 08:00 is 12:00 UTC, the day before 13:00 UTC)", () => {
    const before = checkContactWindow(at("2026-03-07T12:30:00Z"), ["America/New_York"], WINDOW);
    expect(before).toMatchObject({ inside: false, localClock: "07:30" });
    expect(!before.inside && iso(before.opensAt)).toBe("2026-03-07T13:00:00.000Z");
    expect(
      checkContactWindow(at("2026-03-08T12:30:00Z"), ["America/New_York"], WINDOW).inside,
    ).toBe(true);
    // Waiting from Saturday night over the switch: Sunday 08:00 EDT is 12:00 UTC.
    const night = checkContactWindow(at("2026-03-08T03:00:00Z"), ["America/New_York"], WINDOW);
    expect(!night.inside && iso(night.opensAt)).toBe("2026-03-08T12:00:00.000Z");
  });

  it("follows the autumn switch in New York (1 November 2026: back to 13:00 UTC)", () => {
    expect(
      checkContactWindow(at("2026-10-31T12:30:00Z"), ["America/New_York"], WINDOW).inside,
    ).toBe(true);
    const after = checkContactWindow(at("2026-11-01T12:30:00Z"), ["America/New_York"], WINDOW);
    expect(after).toMatchObject({ inside: false, localClock: "07:30" });
    expect(!after.inside && iso(after.opensAt)).toBe("2026-11-01T13:00:00.000Z");
    // 21:00 EST on the switch day is 02:00 UTC the next day.
    expect(
      checkContactWindow(at("2026-11-02T01:30:00Z"), ["America/New_York"], WINDOW).inside,
    ).toBe(true);
  });

  it("follows both European switches in Stockholm (29 March and 25 October 2026)", () => {
    const zone = ["Europe/Stockholm"];
    // Saturday 28 March 06:30 UTC is 07:30 CET: wait for 08:00 CET, 07:00 UTC.
    const saturday = checkContactWindow(at("2026-03-28T06:30:00Z"), zone, WINDOW);
    expect(saturday).toMatchObject({ inside: false, localClock: "07:30" });
    expect(!saturday.inside && iso(saturday.opensAt)).toBe("2026-03-28T07:00:00.000Z");
    // Sunday 29 March the same UTC time is 08:30 CEST.
    expect(checkContactWindow(at("2026-03-29T06:30:00Z"), zone, WINDOW).inside).toBe(true);
    // Saturday 24 October 21:00 CEST (19:00 UTC) closes; Sunday opens at 08:00 CET, 07:00 UTC.
    const closing = checkContactWindow(at("2026-10-24T19:00:00Z"), zone, WINDOW);
    expect(closing).toMatchObject({ inside: false, localClock: "21:00" });
    expect(!closing.inside && iso(closing.opensAt)).toBe("2026-10-25T07:00:00.000Z");
    expect(checkContactWindow(at("2026-10-24T06:30:00Z"), zone, WINDOW).inside).toBe(true);
    expect(checkContactWindow(at("2026-10-25T06:30:00Z"), zone, WINDOW)).toMatchObject({
      inside: false,
      localClock: "07:30",
    });
  });

  it("is inside only when every known zone is (US-TIME-05)", () => {
    const zones = ["America/New_York", "America/Los_Angeles"];
    // 09:00 in New York is 06:00 in Los Angeles: wait for 08:00 there, 16:00 UTC in winter.
    const early = checkContactWindow(at("2026-01-15T14:00:00Z"), zones, WINDOW);
    expect(early).toMatchObject({
      inside: false,
      zone: "America/Los_Angeles",
      localClock: "06:00",
    });
    expect(!early.inside && iso(early.opensAt)).toBe("2026-01-15T16:00:00.000Z");
    // 20:30 in New York is fine for both; 21:00 there closes it for both.
    expect(checkContactWindow(at("2026-01-16T01:30:00Z"), zones, WINDOW).inside).toBe(true);
    const late = checkContactWindow(at("2026-01-16T02:00:00Z"), zones, WINDOW);
    expect(late).toMatchObject({ inside: false, zone: "America/New_York" });
    expect(!late.inside && iso(late.opensAt)).toBe("2026-01-16T16:00:00.000Z");
  });

  it("finds the overlap of zones far apart, and says when there is none", () => {
    // Stockholm and Tokyo (8 h apart in winter) share 08:00–13:00 Stockholm time.
    const apart = checkContactWindow(
      at("2026-01-15T15:00:00Z"),
      ["Europe/Stockholm", "Asia/Tokyo"],
      WINDOW,
    );
    expect(apart.inside).toBe(false);
    expect(!apart.inside && iso(apart.opensAt)).toBe("2026-01-16T07:00:00.000Z");
    // London, Shanghai and Los Angeles (8 h apart each in winter) never share a minute of it.
    const never = checkContactWindow(
      at("2026-01-15T15:00:00Z"),
      ["Europe/London", "Asia/Shanghai", "America/Los_Angeles"],
      WINDOW,
    );
    expect(never).toMatchObject({ inside: false, opensAt: null });
  });
});

describe("local wall clock", () => {
  it("converts 08:00 local to the instant on both sides of a switch", () => {
    expect(iso(instantAt("2026-03-28" as never, 480, "Europe/Stockholm"))).toBe(
      "2026-03-28T07:00:00.000Z",
    );
    expect(iso(instantAt("2026-03-29" as never, 480, "Europe/Stockholm"))).toBe(
      "2026-03-29T06:00:00.000Z",
    );
    expect(iso(instantAt("2026-10-25" as never, 480, "Europe/Stockholm"))).toBe(
      "2026-10-25T07:00:00.000Z",
    );
    expect(localTime(at("2026-10-25T00:30:00Z"), "Europe/Stockholm")).toEqual({
      date: "2026-10-25",
      seconds: 2 * 3600 + 30 * 60,
    });
  });
});
