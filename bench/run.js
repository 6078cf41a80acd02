// Overdue benchmarks: import and aging at scale, each against the floor of the same engine on
// the same file, in the same run. See docs/performance.md for the figures and how to read them.
//
//   npm run bench                        # build, then 1,000,000 invoices (takes a while)
//   node bench/run.js --rows 20000       # quick check against the current dist/
//
// Options:
//   --rows N            invoices at the largest size (default 1,000,000)
//   --customers N       customers (default rows / 10)
//   --sizes a,b,c       invoice counts to import for the memory curve (default 10,30,60,100%)
//   --repeat N          runs of each aging measurement and of each floor import; best is kept (3)
//   --import-repeat N   runs of each `overdue import invoices`; best is kept (1)
//   --as-of YYYY-MM-DD  the aging date (default 2026-03-31; the data is generated around it)
//   --pg URL            a PostgreSQL database to create the scratch database `overdue_bench`
//                       from (default $BENCH_PG_URL or postgres://postgres@127.0.0.1:5432/test)
//   --no-pg             skip PostgreSQL
//   --profile / --no-profile  CPU-profile one import (default: only when the import misses 5×)
//   --keep              keep the databases in bench/out/run-N (they are deleted by default)
//
// Everything it writes goes to bench/out/ (gitignored); the figures also go to
// bench/out/results-N.json.
import { spawnSync } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { DEFAULT_AS_OF, generate } from "./generate.js";
import { measure } from "./measure.js";
import { formatSummary, summarise } from "./profile-summary.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "bench", "out");
const CLI = join(ROOT, "bin", "overdue.js");
const SCRATCH_DB = "overdue_bench";

const TARGETS = {
  importRatio: 5,
  importRssMb: 300,
  agingRatio: 2,
  /** "The same order" on PostgreSQL, read as: less than ten times the floor. */
  pgAgingRatio: 10,
};

function parseArgs(argv) {
  const options = {
    rows: 1_000_000,
    repeat: 3,
    importRepeat: 1,
    asOf: DEFAULT_AS_OF,
    pg: process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    profile: undefined,
    keep: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      i += 1;
      if (argv[i] === undefined) throw new Error(`${arg} needs a value`);
      return argv[i];
    };
    if (arg === "--rows") options.rows = Number(value());
    else if (arg === "--customers") options.customers = Number(value());
    else if (arg === "--sizes") options.sizes = value().split(",").map(Number);
    else if (arg === "--repeat") options.repeat = Number(value());
    else if (arg === "--import-repeat") options.importRepeat = Number(value());
    else if (arg === "--as-of") options.asOf = value();
    else if (arg === "--pg") options.pg = value();
    else if (arg === "--no-pg") options.pg = null;
    else if (arg === "--profile") options.profile = true;
    else if (arg === "--no-profile") options.profile = false;
    else if (arg === "--keep") options.keep = true;
    else throw new Error(`unknown option ${arg} (see the top of bench/run.js)`);
  }
  options.customers ??= Math.max(100, Math.round(options.rows / 10));
  options.sizes ??= [0.1, 0.3, 0.6, 1].map((share) =>
    Math.max(1, Math.round(options.rows * share)),
  );
  options.sizes = [
    ...new Set([...options.sizes.filter((s) => s < options.rows), options.rows]),
  ].sort((a, b) => a - b);
  return options;
}

const log = (text) => process.stderr.write(`${text}\n`);
const fmt = (n) => n.toLocaleString("en");
const seconds = (s) => `${s.toFixed(2)} s`;
const millis = (ms) => `${Math.round(ms)} ms`;
const mb = (kb) => `${Math.round(kb / 1024)} MB`;
/** CPU seconds (user + system) of a measured child process. */
const cpuS = (m) => (m.userS === null ? Number.NaN : m.userS + m.sysS);

const best = (runs) => runs.reduce((a, b) => (b.wallS < a.wallS ? b : a));
const summary = (runs) => ({
  ...best(runs),
  stdout: undefined,
  stderr: undefined,
  runsS: runs.map((r) => Number(r.wallS.toFixed(2))),
  peakRssKb: Math.max(...runs.map((r) => r.rssKb)),
});

function overdue(args, options) {
  return measure(process.execPath, [CLI, ...args], options);
}

async function importWithCli(db, kind, file, expectedRows) {
  const result = await overdue(["--db", db, "import", kind, file]);
  if (!result.stdout.includes(`: ${expectedRows} rows: ${expectedRows} new`)) {
    throw new Error(`import ${kind} did not import ${expectedRows} new rows: ${result.stdout}`);
  }
  return result;
}

function removeSqlite(file) {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(file + suffix, { force: true });
}

/** The first `rows` data lines of a CSV, header included. */
function csvPrefix(source, target, rows) {
  const out = openSync(target, "w");
  const result = spawnSync("head", ["-n", String(rows + 1), source], {
    stdio: ["ignore", out, "inherit"],
  });
  closeSync(out);
  if (result.status !== 0) throw new Error(`head failed on ${source}`);
}

function sqliteImport(db, file, table) {
  return measure("sqlite3", [db, ".mode csv", `.import "${file}" ${table}`]);
}

function environment() {
  const text = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: "utf8", cwd: ROOT });
    return r.status === 0 ? r.stdout.trim() : null;
  };
  const memory = new BetterSqlite3(":memory:");
  const betterSqliteVersion = memory.prepare("select sqlite_version() as v").get().v;
  memory.close();
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    sqlite3Cli: text("sqlite3", ["--version"])?.split(" ")[0] ?? null,
    betterSqlite3Sqlite: betterSqliteVersion,
    gitHead: text("git", ["rev-parse", "--short", "HEAD"]),
    gitDirty:
      text("git", ["status", "--porcelain", "--", "src"])?.split("\n").filter(Boolean) ?? [],
    loadAvgStart: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, "dist", "cli", "main.js"))) {
    throw new Error("dist/ is missing: run `npm run build` first (or `npm run bench`)");
  }
  if (spawnSync("sqlite3", ["--version"]).status !== 0) {
    throw new Error("the sqlite3 command-line shell is needed for the floor (`.import`)");
  }
  const N = options.rows;
  mkdirSync(OUT, { recursive: true });
  const env = environment();
  const results = { options, env, targets: TARGETS };
  log(
    `overdue bench: ${fmt(N)} invoices, ${fmt(options.customers)} customers, as of ${options.asOf}`,
  );
  log(`${env.cpus} × ${env.cpuModel}, node ${env.node}, load ${env.loadAvgStart.join(" ")}`);
  if (env.gitDirty.length > 0)
    log(`note: src/ has uncommitted changes: ${env.gitDirty.join(", ")}`);

  // 1. Data.
  const dataDir = join(OUT, `data-${N}`);
  const started = performance.now();
  const data = generate({
    rows: N,
    customers: options.customers,
    asOf: options.asOf,
    out: dataDir,
  });
  results.data = { ...data, generateS: (performance.now() - started) / 1000 };
  results.data.invoicesMb = statSync(data.files.invoices).size / 2 ** 20;
  log(
    `generated ${fmt(data.customers)} customers, ${fmt(N)} invoices (${results.data.invoicesMb.toFixed(0)} MB), ${fmt(data.payments)} payments in ${seconds(results.data.generateS)}`,
  );
  const invoiceFile = (size) => {
    if (size === N) return data.files.invoices;
    const file = join(dataDir, `invoices-${size}.csv`);
    csvPrefix(data.files.invoices, file, size);
    return file;
  };

  const work = join(OUT, `run-${N}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });

  try {
    // 2. Customers, once, into a template ledger each invoice import starts from.
    const customersDb = join(work, "customers.db");
    results.customersImport = summary([
      await importWithCli(customersDb, "customers", data.files.customers, data.customers),
    ]);
    log(`import customers: ${seconds(results.customersImport.wallS)}`);

    // 3. Invoice import at each size, interleaved with the floor, fresh database each run;
    // first a header-only file, for the RSS of the process itself.
    const emptyFile = join(work, "invoices-0.csv");
    csvPrefix(data.files.invoices, emptyFile, 0);
    const emptyDb = join(work, "app-0.db");
    copyFileSync(customersDb, emptyDb);
    results.sqliteImportBaseline = summary([
      await importWithCli(emptyDb, "invoices", emptyFile, 0),
    ]);
    removeSqlite(emptyDb);
    results.sqliteImport = [];
    const floorRepeat = Math.max(options.repeat, options.importRepeat);
    for (const size of options.sizes) {
      const file = invoiceFile(size);
      const floorDb = join(work, `floor-${size}.db`);
      const appDb = join(work, `app-${size}.db`);
      const floorRuns = [];
      const appRuns = [];
      for (let r = 0; r < floorRepeat; r++) {
        removeSqlite(floorDb);
        floorRuns.push(await sqliteImport(floorDb, file, "invoices"));
        if (r < options.importRepeat) {
          removeSqlite(appDb);
          copyFileSync(customersDb, appDb);
          appRuns.push(await importWithCli(appDb, "invoices", file, size));
        }
      }
      const floor = summary(floorRuns);
      const app = summary(appRuns);
      results.sqliteImport.push({ rows: size, app, floor, ratio: app.wallS / floor.wallS });
      log(
        `import ${fmt(size)} invoices: overdue ${seconds(app.wallS)} (peak ${mb(app.peakRssKb)}), .import ${seconds(floor.wallS)}, ${(app.wallS / floor.wallS).toFixed(1)}×`,
      );
      if (size !== N) {
        removeSqlite(floorDb);
        removeSqlite(appDb);
        if (file !== data.files.invoices) rmSync(file);
      }
    }
    const appDb = join(work, `app-${N}.db`);
    const floorDb = join(work, `floor-${N}.db`);

    // The engine doing what the ledger's table asks of it: a text primary key and the same
    // secondary index, still loaded by `.import` (context, not a target).
    const indexedDb = join(work, "floor-indexed.db");
    const indexedRuns = [];
    for (let r = 0; r < options.repeat; r++) {
      removeSqlite(indexedDb);
      const create = new BetterSqlite3(indexedDb);
      create.exec(`
        create table invoices (invoice_id text primary key, customer_id text not null,
          issue_date text not null, due_date text not null, currency text not null, amount text not null);
        create index invoices_customer_open on invoices (customer_id, currency, due_date);`);
      create.close();
      indexedRuns.push(
        await measure("sqlite3", [
          indexedDb,
          `.import --csv --skip 1 "${data.files.invoices}" invoices`,
        ]),
      );
    }
    removeSqlite(indexedDb);
    results.sqliteImportIndexedFloor = summary(indexedRuns);
    log(
      `.import into a table with the ledger's indexes: ${seconds(results.sqliteImportIndexedFloor.wallS)}`,
    );

    // 4. Payments (so the aging has allocations, some after the as-of date).
    results.sqlitePaymentsImport = summary([
      await importWithCli(appDb, "payments", data.files.payments, data.payments),
    ]);
    results.sqlitePaymentsFloor = summary([
      await sqliteImport(floorDb, data.files.payments, "payments"),
    ]);
    log(`import ${fmt(data.payments)} payments: ${seconds(results.sqlitePaymentsImport.wallS)}`);

    // 5. Aging on SQLite: the query in-process against the hand-written GROUP BY, then the CLI.
    results.sqliteAging = await agingInProcess([
      "--engine",
      "sqlite",
      "--app",
      appDb,
      "--floor",
      floorDb,
      "--as-of",
      options.asOf,
      "--repeat",
      String(options.repeat),
    ]);
    results.sqliteAgingCli = await agingCli(appDb, options, work);
    log(
      `aging (sqlite): agingReport ${millis(results.sqliteAging.app.bestMs)}, floor ${millis(results.sqliteAging.floor.bestMs)}, CLI ${seconds(results.sqliteAgingCli.wallS)}; ${results.sqliteAging.check}`,
    );

    // 6. PostgreSQL.
    if (options.pg) results.pg = await postgres(options, data, work);

    // 7. Where the import's time goes.
    const top = results.sqliteImport.at(-1);
    if (options.profile ?? top.ratio > TARGETS.importRatio) {
      results.profile = await profileImport(options, customersDb, invoiceFile, work);
    }
  } finally {
    if (!options.keep) rmSync(work, { recursive: true, force: true });
  }

  results.env.loadAvgEnd = os.loadavg().map((l) => Number(l.toFixed(2)));
  const resultsFile = join(OUT, `results-${N}.json`);
  writeFileSync(
    resultsFile,
    `${JSON.stringify(results, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`,
  );
  process.stdout.write(`${report(results)}\n`);
  log(`figures written to ${resultsFile}`);
}

async function agingInProcess(args) {
  const result = await measure(process.execPath, [join(ROOT, "bench", "aging-inproc.js"), ...args]);
  return JSON.parse(result.stdout);
}

async function agingCli(db, options, work) {
  const runs = [];
  const out = join(work, "aging.json");
  for (let r = 0; r < options.repeat; r++) {
    runs.push(
      await overdue(["--db", db, "aging", "--as-of", options.asOf, "--json"], { stdout: out }),
    );
  }
  return { ...summary(runs), outputKb: Math.round(statSync(out).size / 1024) };
}

function pgUrl(admin, database) {
  const url = new URL(admin);
  url.pathname = `/${database}`;
  return url.toString();
}

async function postgres(options, data, work) {
  const admin = new pg.Client({ connectionString: options.pg });
  try {
    await admin.connect();
  } catch (error) {
    log(`PostgreSQL skipped: cannot connect to ${options.pg}: ${error.message}`);
    return { skipped: error.message };
  }
  const url = pgUrl(options.pg, SCRATCH_DB);
  const psql = (...args) => measure("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", url, ...args]);
  const out = { server: (await admin.query("show server_version")).rows[0].server_version };
  await admin.query(`drop database if exists ${SCRATCH_DB} with (force)`);
  await admin.query(`create database ${SCRATCH_DB}`);
  try {
    out.customersImport = summary([
      await importWithCli(url, "customers", data.files.customers, data.customers),
    ]);
    out.invoicesImport = summary([
      await importWithCli(url, "invoices", data.files.invoices, data.invoices),
    ]);
    log(`pg import ${fmt(data.invoices)} invoices: ${seconds(out.invoicesImport.wallS)}`);
    out.paymentsImport = summary([
      await importWithCli(url, "payments", data.files.payments, data.payments),
    ]);

    const floorRuns = [];
    for (let r = 0; r < options.repeat; r++) {
      await psql(
        "-c",
        `drop table if exists floor_invoices; create table floor_invoices (invoice_id text,
          customer_id text, issue_date date, due_date date, currency text, amount numeric(14, 2))`,
      );
      floorRuns.push(
        await psql(
          "-c",
          `\\copy floor_invoices from '${data.files.invoices}' with (format csv, header)`,
        ),
      );
    }
    out.invoicesFloor = summary(floorRuns);
    out.importRatio = out.invoicesImport.wallS / out.invoicesFloor.wallS;
    await psql(
      "-c",
      "create table floor_payments (payment_id text, customer_id text, invoice_id text, date date, currency text, amount numeric(14, 2), reference text)",
    );
    await psql(
      "-c",
      `\\copy floor_payments from '${data.files.payments}' with (format csv, header)`,
    );
    // The CLI leaves statistics to autovacuum; take them now so both sides are planned alike.
    await psql("-c", "vacuum analyze");

    out.aging = await agingInProcess([
      "--engine",
      "pg",
      "--app",
      url,
      "--as-of",
      options.asOf,
      "--repeat",
      String(options.repeat),
    ]);
    out.agingCli = await agingCli(url, options, work);
    log(
      `aging (pg): agingReport ${millis(out.aging.app.bestMs)}, floor ${millis(out.aging.floor.bestMs)}, CLI ${seconds(out.agingCli.wallS)}; ${out.aging.check}`,
    );
    return out;
  } finally {
    await admin.query(`drop database if exists ${SCRATCH_DB} with (force)`);
    await admin.end();
  }
}

/** CPU profile of one `import invoices` at the middle size; the summary names the hot functions. */
async function profileImport(options, customersDb, invoiceFile, work) {
  const size = options.sizes.length > 1 ? options.sizes.at(-2) : options.rows;
  const file = invoiceFile(size);
  const db = join(work, "profile.db");
  copyFileSync(customersDb, db);
  const dir = join(OUT, `profile-${options.rows}`);
  rmSync(dir, { recursive: true, force: true });
  await measure(process.execPath, [
    "--cpu-prof",
    "--cpu-prof-dir",
    dir,
    CLI,
    "--db",
    db,
    "import",
    "invoices",
    file,
  ]);
  const [profileFile] = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  const profile = summarise(JSON.parse(readFileSync(join(dir, profileFile), "utf8")), 30);
  log(`profile of importing ${fmt(size)} invoices (${join(dir, profileFile)}):`);
  log(formatSummary(profile));
  return { rows: size, file: join(dir, profileFile), ...profile };
}

function table(headings, rows) {
  const widths = headings.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => String(r[i]).length)),
  );
  const line = (cells) =>
    cells
      .map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])))
      .join("  ");
  return [line(headings), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join(
    "\n",
  );
}

function report(results) {
  const { options, env } = results;
  const N = options.rows;
  const verdict = (ok) => (ok ? "met" : "MISSED");
  const top = results.sqliteImport.at(-1);
  const ratio = (x) => `${x.toFixed(2)}×`;
  const rows = [
    [
      `SQLite: import ${fmt(N)} invoices`,
      seconds(top.app.wallS),
      seconds(top.floor.wallS),
      ratio(top.ratio),
      `≤ ${TARGETS.importRatio}×`,
      verdict(top.ratio <= TARGETS.importRatio),
    ],
    [
      "SQLite: same, CPU time (user+sys)",
      seconds(cpuS(top.app)),
      seconds(cpuS(top.floor)),
      ratio(cpuS(top.app) / cpuS(top.floor)),
      "(info)",
      "",
    ],
    [
      "SQLite: import peak RSS",
      mb(top.app.peakRssKb),
      mb(top.floor.peakRssKb),
      "",
      `≤ ${TARGETS.importRssMb} MB`,
      verdict(top.app.peakRssKb / 1024 <= TARGETS.importRssMb),
    ],
  ];
  const agingRow = (label, aging, target) => [
    label,
    millis(aging.app.bestMs),
    millis(aging.floor.bestMs),
    ratio(aging.app.bestMs / aging.floor.bestMs),
    `≤ ${target}×`,
    verdict(aging.app.bestMs / aging.floor.bestMs <= target),
  ];
  rows.push(agingRow("SQLite: agingReport in-process", results.sqliteAging, TARGETS.agingRatio));
  rows.push([
    "SQLite: same, CPU time",
    millis(results.sqliteAging.app.cpuMs),
    millis(results.sqliteAging.floor.cpuMs),
    ratio(results.sqliteAging.app.cpuMs / results.sqliteAging.floor.cpuMs),
    "(info)",
    "",
  ]);
  rows.push([
    "SQLite: `aging --json` whole CLI",
    seconds(results.sqliteAgingCli.wallS),
    millis(results.sqliteAging.floor.bestMs),
    ratio((results.sqliteAgingCli.wallS * 1000) / results.sqliteAging.floor.bestMs),
    "(info)",
    "",
  ]);
  const pgResult = results.pg && !results.pg.skipped ? results.pg : null;
  if (pgResult) {
    rows.push(agingRow("PostgreSQL: agingReport in-process", pgResult.aging, TARGETS.pgAgingRatio));
    rows.push([
      "PostgreSQL: `aging --json` whole CLI",
      seconds(pgResult.agingCli.wallS),
      millis(pgResult.aging.floor.bestMs),
      ratio((pgResult.agingCli.wallS * 1000) / pgResult.aging.floor.bestMs),
      "(info)",
      "",
    ]);
    rows.push([
      `PostgreSQL: import ${fmt(N)} invoices`,
      seconds(pgResult.invoicesImport.wallS),
      seconds(pgResult.invoicesFloor.wallS),
      ratio(pgResult.importRatio),
      "(info)",
      "",
    ]);
  }
  const memory = results.sqliteImport.map((s) => [
    fmt(s.rows),
    seconds(s.app.wallS),
    seconds(cpuS(s.app)),
    `${Math.round(s.rows / s.app.wallS).toLocaleString("en")}/s`,
    seconds(s.floor.wallS),
    seconds(cpuS(s.floor)),
    ratio(s.ratio),
    mb(s.app.peakRssKb),
  ]);
  const lines = [
    `Overdue benchmarks, ${env.date.slice(0, 10)}: ${fmt(N)} invoices, ${fmt(options.customers)} customers, as of ${options.asOf}`,
    `${env.cpus} × ${env.cpuModel}, ${env.memoryGb} GB, node ${env.node}, sqlite3 CLI ${env.sqlite3Cli}, better-sqlite3's SQLite ${env.betterSqlite3Sqlite}${pgResult ? `, PostgreSQL ${pgResult.server}` : ""}`,
    `git ${env.gitHead}${env.gitDirty.length ? ` + uncommitted src changes (${env.gitDirty.length} files)` : ""}; load ${env.loadAvgStart.join(" ")} → ${env.loadAvgEnd.join(" ")}`,
    `best of ${options.importRepeat} for imports, ${Math.max(options.repeat, options.importRepeat)} for .import, ${options.repeat} for aging`,
    "",
    table(["measurement", "overdue", "floor", "ratio", "target", ""], rows),
    "",
    "SQLite import by size (floor = sqlite3 .import of the same file):",
    table(
      ["invoices", "overdue", "CPU", "rate", ".import", "CPU", "ratio", "peak RSS"],
      [
        ["0 (header only)", "", "", "", "", "", "", mb(results.sqliteImportBaseline.peakRssKb)],
        ...memory,
      ],
    ),
    "",
    `.import into a table with the ledger's primary key and indexes: ${seconds(results.sqliteImportIndexedFloor.wallS)} (overdue is ${ratio(top.app.wallS / results.sqliteImportIndexedFloor.wallS)} that)`,
    `import ${fmt(options.customers)} customers: ${seconds(results.customersImport.wallS)}; import ${fmt(results.data.payments)} payments: ${seconds(results.sqlitePaymentsImport.wallS)}`,
    `aging --json: ${results.sqliteAgingCli.outputKb} KB of output, peak RSS ${mb(results.sqliteAgingCli.peakRssKb)}${pgResult ? ` (PostgreSQL ${mb(pgResult.agingCli.peakRssKb)})` : ""}`,
    `hand-written GROUP BY on the ledger's own invoices table: ${millis(results.sqliteAging.appTable.bestMs)}${pgResult ? ` (PostgreSQL ${millis(pgResult.aging.appTable.bestMs)})` : ""}`,
    `aging check: sqlite ${results.sqliteAging.check}${pgResult ? `; pg ${pgResult.aging.check}` : ""}`,
  ];
  if (results.profile) {
    lines.push("", `CPU profile of importing ${fmt(results.profile.rows)} invoices:`);
    lines.push(
      formatSummary({ ...results.profile, functions: results.profile.functions.slice(0, 15) }),
    );
  }
  return lines.join("\n");
}

await main();
