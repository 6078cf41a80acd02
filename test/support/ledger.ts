import { writeFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { type CliResult, runCli } from "./cli.js";

/**
 * Test helpers that read a ledger store directly (raw SQL, not the code under test) and
 * drive the CLI. Every value read back is text (or null), so both stores compare alike.
 */

export const CUSTOMER_HEADER = [
  "customer_id",
  "name",
  "kind",
  "email",
  "phone",
  "country",
  "language",
  "timezone",
  "address_line1",
  "address_line2",
  "postal_code",
  "city",
] as const;
export const INVOICE_HEADER = [
  "invoice_id",
  "customer_id",
  "issue_date",
  "due_date",
  "currency",
  "amount",
] as const;
export const PAYMENT_HEADER = [
  "payment_id",
  "customer_id",
  "invoice_id",
  "date",
  "currency",
  "amount",
  "reference",
] as const;

export type Row = Readonly<Record<string, string | null>>;

function isPostgres(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** Runs one read-only query on a store; every column comes back as text or null. */
export async function queryRows(url: string, text: string): Promise<Row[]> {
  if (isPostgres(url)) {
    const client = new pg.Client({
      connectionString: url,
      types: { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig,
    });
    await client.connect();
    try {
      return (await client.query(text)).rows as Row[];
    } finally {
      await client.end();
    }
  }
  const handle = new BetterSqlite3(url, { readonly: true, fileMustExist: true });
  try {
    handle.defaultSafeIntegers(true);
    const rows = handle.prepare(text).all() as Record<string, unknown>[];
    return rows.map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)])),
    );
  } finally {
    handle.close();
  }
}

const LEDGER_TABLES = ["customers", "invoices", "payments", "allocations", "imports"] as const;

/**
 * Every row of every ledger table, each row as a canonical string, sorted. `omitColumns`
 * leaves out bookkeeping columns (e.g. which import last wrote a row).
 */
export async function dumpLedger(
  url: string,
  options: { omitTables?: readonly string[]; omitColumns?: readonly string[] } = {},
): Promise<Record<string, string[]>> {
  const dump: Record<string, string[]> = {};
  for (const table of LEDGER_TABLES) {
    if (options.omitTables?.includes(table)) continue;
    const rows = await queryRows(url, `select * from ${table}`);
    dump[table] = rows
      .map((row) =>
        JSON.stringify(
          Object.keys(row)
            .filter((k) => !options.omitColumns?.includes(k))
            .sort()
            .map((k) => [k, row[k]]),
        ),
      )
      .sort();
  }
  return dump;
}

/** The ledger as a user sees it: business data and timestamps, not which import wrote a row. */
export function dumpBusinessData(url: string) {
  return dumpLedger(url, { omitTables: ["imports"], omitColumns: ["import_id", "import_line"] });
}

export function csvField(value: string): string {
  return /[",;\r\n\t]/.test(value) || value !== value.trim()
    ? `"${value.replaceAll('"', '""')}"`
    : value;
}

export function csvText(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  eol = "\n",
): string {
  return [header, ...rows].map((r) => r.map(csvField).join(",")).join(eol) + eol;
}

/** Writes a CSV file and returns its path. */
export function writeCsv(
  dir: string,
  name: string,
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const path = join(dir, name);
  writeFileSync(path, csvText(header, rows));
  return path;
}

/** `overdue --db URL import KIND FILE` run in `cwd`, so error lines start with FILE as given. */
export function importFile(
  url: string,
  kind: "customers" | "invoices" | "payments",
  file: string,
  options: { cwd?: string; extra?: readonly string[] } = {},
): Promise<CliResult> {
  return runCli(["--db", url, "import", kind, file, ...(options.extra ?? [])], {
    cwd: options.cwd,
  });
}

export async function importOk(
  url: string,
  kind: "customers" | "invoices" | "payments",
  file: string,
  cwd?: string,
): Promise<CliResult> {
  const result = await importFile(url, kind, file, { cwd });
  if (result.code !== 0) {
    throw new Error(`import ${kind} ${file} failed (${result.code}):\n${result.stderr}`);
  }
  return result;
}

export type AgingFigures = {
  currency: string;
  current: string;
  days1to30: string;
  days31to60: string;
  days61to90: string;
  days91plus: string;
  total: string;
  overdueCount: number;
};
export type AgingJson = {
  asOf: string;
  totals: AgingFigures[];
  customers: (AgingFigures & { customerId: string })[];
};

export async function agingJson(url: string, asOf: string): Promise<AgingJson> {
  const result = await runCli(["--db", url, "aging", "--as-of", asOf, "--json"]);
  if (result.code !== 0) throw new Error(`aging failed (${result.code}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as AgingJson;
}

export const FIGURE_FIELDS = [
  "current",
  "days1to30",
  "days31to60",
  "days61to90",
  "days91plus",
  "total",
] as const;

/** Only the contract's fields of one aging row, so extra fields (name, dso) are allowed. */
export function contractFigures(row: AgingFigures): AgingFigures {
  return {
    currency: row.currency,
    current: row.current,
    days1to30: row.days1to30,
    days31to60: row.days31to60,
    days61to90: row.days61to90,
    days91plus: row.days91plus,
    total: row.total,
    overdueCount: row.overdueCount,
  };
}

/** The customer row for (customerId, currency), or undefined. */
export function customerAging(report: AgingJson, customerId: string, currency: string) {
  const row = report.customers.find((c) => c.customerId === customerId && c.currency === currency);
  return row ? contractFigures(row) : undefined;
}

export function totalAging(report: AgingJson, currency: string) {
  const row = report.totals.find((t) => t.currency === currency);
  return row ? contractFigures(row) : undefined;
}

/** `FILE:ROW: field: problem` lines on stderr, as [row, field] pairs for the given file name. */
export function reportedErrors(
  stderr: string,
  file: string,
): { line: number; field: string; problem: string }[] {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`^${escaped}:(\\d+): ([^:]+): (.*)$`, "gm");
  return [...stderr.matchAll(pattern)].map((m) => ({
    line: Number(m[1]),
    field: m[2] ?? "",
    problem: m[3] ?? "",
  }));
}

/** Digits of the minor unit for the currencies the tests use (ISO 4217). */
export const DIGITS: Readonly<Record<string, number>> = {
  SEK: 2,
  EUR: 2,
  USD: 2,
  GBP: 2,
  JPY: 0,
  KWD: 3,
};

/** Minor units as the decimal string the contract prints (exactly the currency's digits). */
export function decimal(minor: bigint, currency: string): string {
  const digits = DIGITS[currency];
  if (digits === undefined) throw new Error(`no digits for ${currency}`);
  const sign = minor < 0n ? "-" : "";
  const abs = (minor < 0n ? -minor : minor).toString();
  if (digits === 0) return sign + abs;
  const padded = abs.padStart(digits + 1, "0");
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/** A plain-figures row of zeros for `currency`, to build expectations from. */
export function zeroFigures(currency: string): AgingFigures {
  const zero = decimal(0n, currency);
  return {
    currency,
    current: zero,
    days1to30: zero,
    days31to60: zero,
    days61to90: zero,
    days91plus: zero,
    total: zero,
    overdueCount: 0,
  };
}

const DAY_MS = 86_400_000;
export function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
export function dayNumber(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}
