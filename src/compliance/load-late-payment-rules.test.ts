import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { calendarDate } from "../kernel/calendar-date.js";
import { OverdueError } from "../kernel/errors.js";
import { formatPercent, rateInForce } from "./domain/late-payment-rules.js";
import { loadLatePaymentRules, RATES_FILE, RULES_FILE } from "./load-late-payment-rules.js";
import { rulesDir } from "./rules-dir.js";

const SHIPPED = fileURLToPath(new URL("../../rules/", import.meta.url));

describe("the shipped rules", () => {
  it("load, with EU, IT, SE and UK", async () => {
    const rules = await loadLatePaymentRules(SHIPPED);
    expect([...rules.jurisdictions.keys()].sort()).toEqual(["EU", "IT", "SE", "UK"]);
  });

  it("ECB_MRO gives the Gazzetta Ufficiale / Irish half-year references of §7.2", async () => {
    // collections-rules.md §7.2: reference = MRO in force on 1 Jan / 1 Jul.
    const expected: readonly [string, string][] = [
      ["2022-07-01", "0.00"],
      ["2023-01-01", "2.50"],
      ["2023-07-01", "4.00"],
      ["2024-01-01", "4.50"],
      ["2024-07-01", "4.25"],
      ["2025-01-01", "3.15"],
      ["2025-07-01", "2.15"],
      ["2026-01-01", "2.15"],
    ];
    const table = (await loadLatePaymentRules(SHIPPED)).tables.get("ECB_MRO");
    if (!table) throw new Error("no ECB_MRO table");
    for (const [day, percent] of expected) {
      const rate = rateInForce(table, calendarDate(day));
      expect(rate === undefined ? undefined : formatPercent(rate), day).toBe(percent);
    }
    // 2026 H2 and anything before the first listed change are unknown.
    expect(rateInForce(table, calendarDate("2026-07-01"))).toBeUndefined();
    expect(rateInForce(table, calendarDate("2009-01-01"))).toBeUndefined();
  });
});

describe("OVERDUE_RULES_DIR", () => {
  it("overrides the folder; the default is the package's rules/", () => {
    expect(rulesDir({ OVERDUE_RULES_DIR: "/srv/rules" })).toBe("/srv/rules");
    expect(rulesDir({})).toBe(SHIPPED);
  });
});

describe("a broken edit names the file and the field", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** A copy of the shipped rules with one file edited. */
  function edited(file: string, edit: (json: Record<string, unknown>) => void): string {
    dir = mkdtempSync(join(tmpdir(), "overdue-rules-"));
    cpSync(SHIPPED, dir, { recursive: true });
    const path = join(dir, file);
    const json = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    edit(json);
    writeFileSync(path, JSON.stringify(json));
    return dir;
  }

  async function problem(folder: string): Promise<string> {
    const error = await loadLatePaymentRules(folder).catch((e: unknown) => e);
    if (!(error instanceof OverdueError)) throw new Error("expected an OverdueError");
    return error.message;
  }

  type Json = Record<string, Record<string, unknown>>;

  it("a fixed sum that is not an amount", async () => {
    const folder = edited(RULES_FILE, (json) => {
      const uk = (json as Json).UK as { fixedCompensation: { bands: { amount: unknown }[] } };
      const band = uk.fixedCompensation.bands[1];
      if (band) band.amount = 70;
    });
    expect(await problem(folder)).toBe(
      `${join(folder, RULES_FILE)}: UK.fixedCompensation.bands.1.amount: Invalid input: expected string, received number`,
    );
  });

  it("a margin written with a comma", async () => {
    const folder = edited(RULES_FILE, (json) => {
      ((json as Json).SE?.interest as Record<string, unknown>).marginPercent = "8,00";
    });
    expect(await problem(folder)).toMatch(
      /late-payment\.json: SE\.interest\.marginPercent: must be a percentage as a string/,
    );
  });

  it("a misspelt field", async () => {
    const folder = edited(RULES_FILE, (json) => {
      ((json as Json).EU?.interest as Record<string, unknown>).rateRest = "per_half_year";
    });
    expect(await problem(folder)).toMatch(/late-payment\.json: EU\.interest: .*rateRest/);
  });

  it("a reference table that does not exist", async () => {
    const folder = edited(RULES_FILE, (json) => {
      ((json as Json).IT?.interest as Record<string, unknown>).referenceTable = "ECB";
    });
    expect(await problem(folder)).toMatch(
      /late-payment\.json: IT\.interest\.referenceTable: no table "ECB" in .*reference-rates\.json/,
    );
  });

  it("a fixed sum with more decimals than the currency has", async () => {
    const folder = edited(RULES_FILE, (json) => {
      ((json as Json).SE?.reminderFee as Record<string, unknown>).max = "60.001";
    });
    expect(await problem(folder)).toMatch(
      /SE\.reminderFee\.max: "60\.001" has more than 2 decimals/,
    );
  });

  it("rates out of order, and a half-year table entry that is not 1 Jan or 1 Jul", async () => {
    const swapped = edited(RATES_FILE, (json) => {
      const rates = (json as Json).ECB_MRO?.rates as unknown[];
      rates.reverse();
    });
    expect(await problem(swapped)).toMatch(
      /reference-rates\.json: ECB_MRO\.rates\.1\.from: must be after the previous rate's 2025-06-11/,
    );
    rmSync(swapped, { recursive: true });
    const midYear = edited(RATES_FILE, (json) => {
      const rates = (json as Json).SE_REFERENSRANTA?.rates as { from: string }[];
      const last = rates.at(-1);
      if (last) last.from = "2024-02-01";
    });
    expect(await problem(midYear)).toMatch(
      /SE_REFERENSRANTA\.rates\.11\.from: a half_years table's rates start on 1 January or 1 July/,
    );
  });

  it("a file that is not JSON, and a folder without the files", async () => {
    dir = mkdtempSync(join(tmpdir(), "overdue-rules-"));
    expect(await problem(dir)).toMatch(/^cannot read .*late-payment\.json/);
    cpSync(SHIPPED, dir, { recursive: true });
    writeFileSync(join(dir, RATES_FILE), "{ not json");
    expect(await problem(dir)).toMatch(/reference-rates\.json: not valid JSON/);
  });
});
