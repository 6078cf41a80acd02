import { describe, expect, it } from "vitest";
import { checkCap, type PastContact } from "./contact-caps.js";

const REG_F = { max: 7, days: 7, quietDaysAfterConversation: 7 };
const ZONE = "America/Chicago";
/** Noon in Chicago (UTC−6 in winter) on a January day. */
const noon = (day: number) => Date.parse(`2026-01-${String(day).padStart(2, "0")}T18:00:00Z`);
const calls = (days: readonly number[], debt = "INV-1"): PastContact[] =>
  days.map((day) => ({ debt, at: noon(day), conversation: false }));

describe("Regulation F's 7-in-7 call cap (12 CFR 1006.14(b)(2))", () => {
  it("allows a 7th call in 7 days and refuses the 8th until the first drops out", () => {
    // Calls on 5–10 January: six in the window ending 11 January, so a 7th is fine.
    expect(checkCap(REG_F, noon(11), ZONE, ["INV-1"], calls([5, 6, 7, 8, 9, 10]))).toEqual({
      allowed: true,
    });
    // Seven calls on 5–11 January: an 8th on the 11th is the presumed violation; the call of
    // the 5th leaves the window ending 12 January, so that day is free again.
    const full = checkCap(REG_F, noon(11), ZONE, ["INV-1"], calls([5, 6, 7, 8, 9, 10, 11]));
    expect(full).toMatchObject({ allowed: false, from: "2026-01-12", debt: "INV-1" });
  });

  it("counts seven calls on one day as seven", () => {
    const burst = checkCap(REG_F, noon(9), ZONE, ["INV-1"], calls([3, 3, 3, 3, 3, 3, 3]));
    // 3 January is day 1 of the window; it leaves it after 9 January.
    expect(burst).toMatchObject({ allowed: false, from: "2026-01-10" });
    expect(checkCap(REG_F, noon(10), ZONE, ["INV-1"], calls([3, 3, 3, 3, 3, 3, 3])).allowed).toBe(
      true,
    );
  });

  it("counts per debt: calls about another invoice do not use this one's cap", () => {
    const other = calls([5, 6, 7, 8, 9, 10, 11], "INV-2");
    expect(checkCap(REG_F, noon(11), ZONE, ["INV-1"], other).allowed).toBe(true);
    expect(checkCap(REG_F, noon(11), ZONE, ["INV-1", "INV-2"], other)).toMatchObject({
      allowed: false,
      debt: "INV-2",
    });
  });

  it("keeps quiet for 7 days after a conversation, the conversation day being day 1", () => {
    // A conversation on Monday 5 January: the next call is allowed on Monday 12 January.
    const talk: PastContact[] = [{ debt: "INV-1", at: noon(5), conversation: true }];
    for (const day of [5, 6, 11]) {
      expect(checkCap(REG_F, noon(day), ZONE, ["INV-1"], talk)).toMatchObject({
        allowed: false,
        from: "2026-01-12",
      });
    }
    expect(checkCap(REG_F, noon(12), ZONE, ["INV-1"], talk).allowed).toBe(true);
  });

  it("counts days on the debtor's calendar, not UTC's", () => {
    // 04:00 UTC on 12 January is still 11 January (22:00) in Chicago. With calls on 5–10
    // January that makes seven in the days 5–11, so it is full until the 12th; counted in UTC
    // days, the window ending 12 January would hold only six and let an 8th call through.
    const lateNight = [
      ...calls([5, 6, 7, 8, 9, 10]),
      { debt: "INV-1", at: Date.parse("2026-01-12T04:00:00Z"), conversation: false },
    ];
    expect(
      checkCap(REG_F, Date.parse("2026-01-12T04:30:00Z"), ZONE, ["INV-1"], lateNight),
    ).toMatchObject({ allowed: false, from: "2026-01-12" });
  });
});
