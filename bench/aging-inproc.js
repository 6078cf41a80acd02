// Times the aging query in-process, best of N, against its floor on the same engine:
//
//   node bench/aging-inproc.js --engine sqlite --app APP.db --floor FLOOR.db --as-of D [--repeat 3]
//   node bench/aging-inproc.js --engine pg --app postgres://… --as-of D [--repeat 3]
//
// "app" is `agingReport` from dist/ on the ledger the CLI imported. "floor" is a hand-written
// GROUP BY over the table the engine's own bulk loader made from the same invoices.csv
// (SQLite: sqlite3 `.import` into `invoices`; PostgreSQL: `\copy` into `floor_invoices`).
// "app table" is the same hand-written GROUP BY over the ledger's own `invoices` table: it
// tells the cost of the schema apart from the cost of the report's queries and code.
// Runs are interleaved (floor, app, app table, floor, …) so background load hits all alike.
// Prints one JSON object on stdout.
import { performance } from "node:perf_hooks";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { openDatabase } from "../dist/db/database.js";
import { agingReport } from "../dist/ledger/aging-report.js";

const MS_PER_DAY = 86_400_000;
const addDays = (date, days) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * MS_PER_DAY).toISOString().slice(0, 10);

/** Due-date thresholds: days past due ≤ 0 ⇔ due ≥ asOf; 1–30 ⇔ asOf−30 ≤ due < asOf; … */
function thresholds(asOf) {
  return { d0: asOf, d30: addDays(asOf, -30), d60: addDays(asOf, -60), d90: addDays(asOf, -90) };
}

/** The hand-written aging: one pass, one row per customer and currency, buckets as columns. */
function floorSql(p, table, amount, where) {
  return `
    select customer_id, currency,
      sum(case when due_date >= ${p.d0} then ${amount} else 0 end) as current,
      sum(case when due_date < ${p.d0} and due_date >= ${p.d30} then ${amount} else 0 end) as days1to30,
      sum(case when due_date < ${p.d30} and due_date >= ${p.d60} then ${amount} else 0 end) as days31to60,
      sum(case when due_date < ${p.d60} and due_date >= ${p.d90} then ${amount} else 0 end) as days61to90,
      sum(case when due_date < ${p.d90} then ${amount} else 0 end) as days91plus,
      sum(${amount}) as total,
      sum(case when due_date < ${p.d0} then 1 else 0 end) as overdue
    from ${table}
    where ${where}
    group by customer_id, currency`;
}

function parseArgs(argv) {
  const options = { repeat: 3 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, "").replace(/-(.)/g, (_, c) => c.toUpperCase());
    options[key] = key === "repeat" ? Number(argv[i + 1]) : argv[i + 1];
  }
  return options;
}

/** Wall time, and CPU time of this process (all of it on SQLite, only the client's on PostgreSQL). */
async function timed(work) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const rows = await work();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, rows };
}

function summary(runs) {
  const ms = runs.map((r) => r.ms);
  const bestAt = ms.indexOf(Math.min(...ms));
  return {
    bestMs: ms[bestAt],
    cpuMs: Math.round(runs[bestAt].cpuMs),
    runsMs: ms.map((m) => Math.round(m)),
    rows: runs[0]?.rows,
  };
}

async function sqlite({ app, floor, asOf, repeat }) {
  const t = thresholds(asOf);
  const named = { d0: "@d0", d30: "@d30", d60: "@d60", d90: "@d90" };
  const floorDb = new BetterSqlite3(floor, { readonly: true });
  const floorQuery = floorDb.prepare(floorSql(named, "invoices", "amount", "issue_date <= @d0"));
  const appDb = new BetterSqlite3(app, { readonly: true });
  const appTableQuery = appDb.prepare(
    floorSql(
      named,
      "invoices",
      "open_minor",
      "issue_date <= @d0 and (open_minor > 0 or last_allocation_on > @d0)",
    ),
  );
  const database = await openDatabase(app);
  const runs = { floor: [], app: [], appTable: [] };
  let report;
  try {
    for (let i = 0; i < repeat; i++) {
      runs.floor.push(await timed(() => floorQuery.all(t).length));
      runs.app.push(
        await timed(async () => {
          report = await agingReport(database, asOf);
          return report.customers.length;
        }),
      );
      runs.appTable.push(await timed(() => appTableQuery.all(t).length));
    }
  } finally {
    await database.close();
  }
  // Check: the report's totals equal invoiced minus paid up to the as-of date.
  const cents = (column) => `sum(cast(round(${column} * 100) as integer))`;
  const invoiced = floorDb
    .prepare(
      `select currency, ${cents("amount")} as minor from invoices where issue_date <= ? group by currency`,
    )
    .all(asOf);
  const hasPayments = floorDb
    .prepare("select 1 from sqlite_master where type = 'table' and name = 'payments'")
    .get();
  const paid = hasPayments
    ? floorDb
        .prepare(
          `select currency, ${cents("amount")} as minor from payments where date <= ? group by currency`,
        )
        .all(asOf)
    : null;
  floorDb.close();
  appDb.close();
  return { runs, report, check: paid && expectedTotals(invoiced, paid) };
}

async function postgres({ app, asOf, repeat }) {
  const t = thresholds(asOf);
  const positional = { d0: "$1::date", d30: "$2::date", d60: "$3::date", d90: "$4::date" };
  const values = [t.d0, t.d30, t.d60, t.d90];
  const client = new pg.Client({ connectionString: app });
  await client.connect();
  const floorText = floorSql(positional, "floor_invoices", "amount", "issue_date <= $1::date");
  const appTableText = floorSql(
    positional,
    "invoices",
    "open_minor",
    "issue_date <= $1::date and (open_minor > 0 or last_allocation_on > $1::date)",
  );
  const database = await openDatabase(app);
  const runs = { floor: [], app: [], appTable: [] };
  let report;
  try {
    for (let i = 0; i < repeat; i++) {
      runs.floor.push(await timed(async () => (await client.query(floorText, values)).rowCount));
      runs.app.push(
        await timed(async () => {
          report = await agingReport(database, asOf);
          return report.customers.length;
        }),
      );
      runs.appTable.push(
        await timed(async () => (await client.query(appTableText, values)).rowCount),
      );
    }
    const invoiced = await client.query(
      "select currency, (sum(amount) * 100)::bigint as minor from floor_invoices where issue_date <= $1 group by currency",
      [asOf],
    );
    const paid = await client
      .query(
        "select currency, (sum(amount) * 100)::bigint as minor from floor_payments where date <= $1 group by currency",
        [asOf],
      )
      .catch(() => null);
    return { runs, report, check: paid && expectedTotals(invoiced.rows, paid.rows) };
  } finally {
    await database.close();
    await client.end();
  }
}

function expectedTotals(invoiced, paid) {
  const expected = new Map(invoiced.map((r) => [r.currency, BigInt(r.minor)]));
  for (const r of paid)
    expected.set(r.currency, (expected.get(r.currency) ?? 0n) - BigInt(r.minor));
  return expected;
}

const options = parseArgs(process.argv.slice(2));
const result = await (options.engine === "pg" ? postgres(options) : sqlite(options));
const totals = new Map(result.report.totals.map((t) => [t.currency, t.total]));
const mismatches = result.check
  ? [...result.check].filter(([currency, minor]) => totals.get(currency) !== minor)
  : null;
process.stdout.write(
  `${JSON.stringify({
    engine: options.engine,
    floor: summary(result.runs.floor),
    app: summary(result.runs.app),
    appTable: summary(result.runs.appTable),
    reportTotals: Object.fromEntries([...totals].map(([c, m]) => [c, m.toString()])),
    check:
      mismatches === null
        ? "not run (no payments table next to the floor)"
        : mismatches.length === 0
          ? "ok: report totals = invoiced - paid on the as-of date, per currency"
          : `MISMATCH: ${mismatches.map(([c, m]) => `${c} expected ${m} got ${totals.get(c)}`).join("; ")}`,
  })}\n`,
);
