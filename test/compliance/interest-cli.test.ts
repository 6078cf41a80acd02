import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

// Runs the built CLI (npm run build first), from an empty folder: `overdue interest` needs no
// ledger, so nothing may appear there (the default store is ./overdue.db).
const cwd = mkdtempSync(join(tmpdir(), "overdue-interest-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const interest = (...args: string[]) => runCli(["interest", ...args], { cwd });

type InterestJson = {
  totalInterest: string;
  fixedCompensation: string;
  segments: { from: string; to: string; days: number; rate: string; interest: string }[];
  currency: string;
  jurisdiction: string;
  notes: string[];
};

describe("overdue interest", () => {
  it("EU across the 2024 half-year change: the JSON contract", async () => {
    // 10,000 EUR: 30 days at 12.50 % = 102.74, 92 days at 12.25 % = 308.77, total 411.51.
    const result = await interest(
      "--jurisdiction",
      "EU",
      "--principal",
      "10000.00",
      "--currency",
      "EUR",
      "--from",
      "2024-06-01",
      "--until",
      "2024-09-30",
      "--json",
    );
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as InterestJson;
    expect(json).toMatchObject({
      totalInterest: "411.51",
      fixedCompensation: "40.00",
      currency: "EUR",
      jurisdiction: "EU",
    });
    expect(json.segments).toEqual([
      { from: "2024-06-01", to: "2024-06-30", days: 30, rate: "12.50", interest: "102.74" },
      { from: "2024-07-01", to: "2024-09-30", days: 92, rate: "12.25", interest: "308.77" },
    ]);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("refuses a half-year without a known rate: one line, exit 1", async () => {
    const result = await interest(
      "--jurisdiction",
      "SE",
      "--principal",
      "1000",
      "--currency",
      "SEK",
      "--from",
      "2024-06-15",
      "--until",
      "2024-08-15",
      "--json",
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "overdue: no SE reference rate known for 2024-07-01 – 2024-12-31; add it to rules/reference-rates.json (table SE_REFERENSRANTA)\n",
    );
  });

  it("--debtor consumer: EU gives nothing, with the reason", async () => {
    const result = await interest(
      "--jurisdiction",
      "EU",
      "--principal",
      "10000.00",
      "--currency",
      "EUR",
      "--from",
      "2024-06-01",
      "--until",
      "2024-09-30",
      "--debtor",
      "consumer",
      "--json",
    );
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as InterestJson;
    expect(json).toMatchObject({ totalInterest: "0.00", fixedCompensation: "0.00", segments: [] });
    expect(json.notes.join(" ")).toMatch(/commercial transactions only/);
  });

  it("--debtor consumer: SE gives interest but no 450 kr", async () => {
    const result = await interest(
      ...["--jurisdiction", "SE", "--principal", "10000.00", "--currency", "SEK"],
      ...["--from", "2023-06-01", "--until", "2023-07-31", "--debtor", "consumer", "--json"],
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      totalInterest: "183.97",
      fixedCompensation: "0.00",
    });
  });

  // A valid request with some options changed (a value) or left out (null).
  const base = {
    jurisdiction: "EU",
    principal: "10.00",
    currency: "EUR",
    from: "2024-01-01",
    until: "2024-01-31",
  };
  const flags = (changes: Record<string, string | null>): string[] =>
    Object.entries({ ...base, ...changes }).flatMap(([name, value]) =>
      value === null ? [] : [`--${name}`, value],
    );

  it.each([
    [{ jurisdiction: null }, "--jurisdiction is required"],
    [{ jurisdiction: "FR" }, '"FR" has no rules; known: EU, IT, SE, UK'],
    [{ principal: "10.001" }, '--principal: "10.001" has more than 2 decimals'],
    [{ principal: "0" }, "--principal: must be greater than 0"],
    [{ from: "2024-02-30" }, '--from: "2024-02-30" is not a day of the calendar'],
    [{ from: "2024-03-02", until: "2024-03-01" }, "--from: 2024-03-02 is after --until 2024-03-01"],
    [{ debtor: "person" }, '--debtor: "person" is not business or consumer'],
    [{ jurisdiction: "UK" }, "UK statutory interest is computed for GBP debts only"],
    [
      { jurisdiction: "IT", debtor: "consumer" },
      "IT interest for a consumer debtor is not computed",
    ],
    [{ bogus: "1" }, "error: unknown option '--bogus'"],
  ])("bad input %j: one line on stderr, exit 1", async (changes, message) => {
    const result = await interest(...flags(changes));
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")).toEqual([expect.stringContaining(message), ""]);
  });

  it("prints a readable table without --json", async () => {
    const result = await interest(
      ...["--jurisdiction", "UK", "--principal", "5000", "--currency", "GBP"],
      ...["--from", "2023-08-01", "--until", "2024-03-31"],
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/2023-08-01\s+2024-03-31\s+244\s+13\.00\s+434\.52/);
    expect(result.stdout).toMatch(/total interest\s+GBP 434\.52/);
    expect(result.stdout).toMatch(/fixed compensation\s+GBP 70\.00/);
  });

  it("reads OVERDUE_RULES_DIR, and a broken edit names the file and the field", async () => {
    const shipped = fileURLToPath(new URL("../../rules/", import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), "overdue-rules-"));
    try {
      cpSync(shipped, dir, { recursive: true });
      writeFileSync(join(dir, "late-payment.json"), JSON.stringify({ EU: { name: "" } }));
      const result = await runCli(
        [
          ...["interest", "--jurisdiction", "EU", "--principal", "1", "--currency", "EUR"],
          ...["--from", "2024-01-01", "--until", "2024-01-02"],
        ],
        { cwd, env: { OVERDUE_RULES_DIR: dir } },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `overdue: ${join(dir, "late-payment.json")}: EU.name: must not be empty\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
