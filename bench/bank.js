// `overdue bank import` end to end on SQLite (and PostgreSQL): a statement of 100,000 credits
// matched against 1,000,000 open invoices, through the CLI, with the matches checked against
// the labels of the generated set. See docs/performance.md ("Bank matching").
//
//   npm run build && node bench/bank.js               # 100,000 lines, 1,000,000 invoices
//   node bench/bank.js --customers 2000 --credits 2000   # quick check against dist/
//
// Options: --customers N (ten open invoices each; default 100,000), --credits N (default
// 100,000), --seed N (default 2026), --repeat N (SQLite imports, each on a fresh copy of the
// ledger; the best is kept; default 3), --no-pg, --pg URL (default $BENCH_PG_URL or
// postgres://postgres@127.0.0.1:5432/test). Files and ledgers go to bench/out/bank-*.
import { copyFileSync, createWriteStream, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { finished } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { LEDGER_CSV_HEADERS } from "../dist/ledger/import/csv-headers.js";
import { generateLabelledSet } from "../dist/payments/domain/labelled-credits.js";
import { measure } from "./measure.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "bench", "out");
const CLI = join(ROOT, "bin", "overdue.js");
const SCRATCH_DB = "overdue_bench_bank";
const TARGET_SECONDS = 10;

const options = {
  customers: 100_000,
  credits: 100_000,
  seed: 2026,
  repeat: 3,
  pg: process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test",
  noPg: false,
};
const args = process.argv.slice(2);
for (let at = 0; at < args.length; at++) {
  const name = args[at];
  if (name === "--no-pg") options.noPg = true;
  else if (name === "--pg") options.pg = args[++at];
  else if (name?.startsWith("--") && name.slice(2) in options)
    options[name.slice(2)] = Number(args[++at]);
  else throw new Error(`unknown option ${name}`);
}

const log = (text) => process.stderr.write(`${text}\n`);
const DIGITS = { JPY: 0 };
const decimal = (minor, currency) => {
  const digits = DIGITS[currency] ?? 2;
  if (digits === 0) return String(minor);
  const text = String(minor).padStart(digits + 1, "0");
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
};
const csvField = (value) =>
  /[",\n;]/.test(value) ? `"${String(value).replaceAll('"', '""')}"` : String(value);

async function writeCsv(file, header, rows) {
  const out = createWriteStream(file);
  out.write(`${header.join(",")}\n`);
  for (const row of rows) {
    if (!out.write(`${row.map(csvField).join(",")}\n`)) {
      await new Promise((resolve) => out.once("drain", resolve));
    }
  }
  out.end();
  await finished(out);
}

function cliEnv() {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith("OVERDUE_")) delete env[name];
  return env;
}

const overdue = (db, cliArgs) =>
  measure(process.execPath, [CLI, "--db", db, ...cliArgs], { env: cliEnv() });

/** The labelled set written as the files a user would have: ledger CSVs and a bank CSV. */
async function writeFiles(set, dir) {
  mkdirSync(dir, { recursive: true });
  const files = {
    customers: join(dir, "customers.csv"),
    invoices: join(dir, "invoices.csv"),
    bank: join(dir, "bank.csv"),
  };
  const customerRows = function* () {
    for (const c of set.customers()) {
      yield [
        c.id,
        c.name,
        "business",
        "",
        "",
        "SE",
        "",
        "",
        "Storgatan 1",
        "",
        "111 20",
        "Stockholm",
      ];
    }
  };
  await writeCsv(files.customers, LEDGER_CSV_HEADERS.customers, customerRows());
  const invoiceRows = function* () {
    for (const i of set.invoices()) {
      yield [
        i.id,
        i.customerId,
        "2025-01-01",
        i.dueDate,
        i.currency,
        decimal(i.openMinor, i.currency),
        i.number,
      ];
    }
  };
  await writeCsv(files.invoices, [...LEDGER_CSV_HEADERS.invoices, "number"], invoiceRows());
  const bankRows = function* () {
    for (const { credit } of set.credits) {
      yield [
        "2026-03-06",
        decimal(credit.amountMinor, credit.currency),
        credit.currency,
        credit.reference ?? "",
        credit.remittance,
        credit.counterpartyName ?? "",
        credit.counterpartyAccount ?? "",
        credit.key,
      ];
    }
  };
  await writeCsv(
    files.bank,
    ["date", "amount", "currency", "reference", "text", "name", "account", "id"],
    bankRows(),
  );
  return files;
}

const BANK_MAP =
  "bookingDate=date,amount=amount,currency=currency,reference=reference,remittance=text,counterpartyName=name,counterpartyAccount=account,bankReference=id";

/** Lines as stored, keyed by the credit's key (carried as the bank reference). */
async function storedOutcomes(url) {
  const query = "select bank_reference, status, invoice_ids from bank_lines";
  let rows;
  if (url.startsWith("postgres")) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    rows = (await client.query(query)).rows;
    await client.end();
  } else {
    const db = new BetterSqlite3(url, { readonly: true });
    rows = db.prepare(query).all();
    db.close();
  }
  return new Map(rows.map((r) => [r.bank_reference, r]));
}

/** Precision and recall of what the import applied, against the labels. */
function score(set, outcomes) {
  let applied = 0;
  let right = 0;
  let shouldApply = 0;
  for (const { credit, label } of set.credits) {
    const stored = outcomes.get(credit.key);
    if (label.kind === "allocate") shouldApply += 1;
    if (stored?.status !== "applied") continue;
    applied += 1;
    const ids = JSON.parse(stored.invoice_ids);
    const expected = label.kind === "allocate" ? label.allocations.map((a) => a.invoiceId) : [];
    if (ids.length === expected.length && ids.every((id, i) => id === expected[i])) right += 1;
  }
  return {
    lines: set.credits.length,
    applied,
    right,
    shouldApply,
    precision: applied === 0 ? 1 : right / applied,
    recall: shouldApply === 0 ? 1 : right / shouldApply,
  };
}

async function seedPayerAccounts(set, url) {
  const rows = [];
  for (const c of set.customers()) for (const account of c.accounts) rows.push([account, c.id]);
  if (url.startsWith("postgres")) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (let i = 0; i < rows.length; i += 5000) {
      const chunk = rows.slice(i, i + 5000);
      const values = chunk.map((_, j) => `($${2 * j + 1}, $${2 * j + 2}, 'bench')`).join(",");
      await client.query(
        `insert into payer_accounts (account, customer_id, learned_at) values ${values}`,
        chunk.flat(),
      );
    }
    await client.end();
  } else {
    const db = new BetterSqlite3(url);
    const insert = db.prepare(
      "insert into payer_accounts (account, customer_id, learned_at) values (?, ?, 'bench')",
    );
    db.transaction(() => {
      for (const row of rows) insert.run(...row);
    })();
    db.close();
  }
  return rows.length;
}

async function benchStore(kind, url, set, files) {
  log(`${kind}: importing ${set.customerCount} customers and ${set.invoiceCount} invoices`);
  await overdue(url, ["import", "customers", files.customers]);
  await overdue(url, ["import", "invoices", files.invoices]);
  const accounts = await seedPayerAccounts(set, url);
  log(`${kind}: ${accounts} known payer accounts; importing the statement`);
  const importStatement = (target) =>
    overdue(target, [
      "bank",
      "import",
      files.bank,
      "--map",
      BANK_MAP,
      "--account",
      "SE4550000000058398257466",
      "--at",
      "2026-03-07T07:00:00Z",
    ]);
  // SQLite: each run on a fresh copy of the prepared ledger, the best kept. PostgreSQL: once.
  const runs = [];
  if (kind === "sqlite") {
    const db = new BetterSqlite3(url);
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close();
    for (let r = 0; r < options.repeat; r++) {
      const copy = `${url}.run`;
      for (const suffix of ["", "-wal", "-shm"]) rmSync(copy + suffix, { force: true });
      copyFileSync(url, copy);
      runs.push({ ...(await importStatement(copy)), copy });
    }
  } else runs.push({ ...(await importStatement(url)), copy: url });
  const run = runs.reduce((best, r) => (r.wallS < best.wallS ? r : best));
  const quality = score(set, await storedOutcomes(run.copy));
  const figures = {
    store: kind,
    wallS: Number(run.wallS.toFixed(2)),
    runsS: runs.map((r) => Number(r.wallS.toFixed(2))),
    peakRssMb: Math.round(run.rssKb / 1024),
    userS: run.userS,
    ...quality,
    output: run.stdout.trim(),
  };
  log(JSON.stringify(figures));
  return figures;
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const started = performance.now();
  const set = generateLabelledSet(options);
  const dir = join(OUT, `bank-data-${options.customers}-${options.credits}`);
  const files = await writeFiles(set, dir);
  log(`generated and wrote the set in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const results = [];
  const sqlite = join(OUT, "bank-bench.db");
  for (const suffix of ["", "-wal", "-shm"]) rmSync(sqlite + suffix, { force: true });
  results.push(await benchStore("sqlite", sqlite, set, files));
  for (const file of [sqlite, `${sqlite}.run`]) {
    for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
  }

  if (!options.noPg) {
    const admin = new pg.Client({ connectionString: options.pg });
    await admin.connect();
    await admin.query(`drop database if exists ${SCRATCH_DB} with (force)`);
    await admin.query(`create database ${SCRATCH_DB}`);
    const url = new URL(options.pg);
    url.pathname = `/${SCRATCH_DB}`;
    try {
      results.push(await benchStore("postgres", url.toString(), set, files));
    } finally {
      await admin.query(`drop database if exists ${SCRATCH_DB} with (force)`);
      await admin.end();
    }
  }
  const percent = (value) => `${(value * 100).toFixed(2)} %`;
  console.log(
    `bank import: ${set.credits.length.toLocaleString("en-US")} statement lines against ${set.invoiceCount.toLocaleString("en-US")} open invoices (target ≤ ${TARGET_SECONDS} s on SQLite)`,
  );
  for (const r of results) {
    console.log(
      `${r.store.padEnd(9)} ${r.wallS.toFixed(2).padStart(7)} s (runs ${r.runsS.join(", ")})  peak RSS ${r.peakRssMb} MB  applied ${r.applied}, precision ${percent(r.precision)}, recall ${percent(r.recall)}`,
    );
  }
}

await main();
