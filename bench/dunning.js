// Overdue benchmarks for the collections loop: the daily run's planning over a large ledger
// (`overdue run --dry-run`) and e-mail dispatch to a local SMTP server. See
// docs/performance.md ("Collections loop") for the figures and how to read them.
//
//   npm run build && node bench/dunning.js   # 250k, 500k and 1,000,000 invoices (takes a while)
//   node bench/dunning.js --rows 20000       # quick check against the current dist/
//
// Options:
//   --rows N            invoices at the largest size (default 1,000,000)
//   --customers N       customers at the largest size (default rows / 10); smaller sizes keep
//                       the same number of invoices per customer
//   --sizes a,b,c       invoice counts of the dry run (default 25, 50 and 100 % of --rows)
//   --repeat N          runs of each timed command; the best is kept (default 2)
//   --as-of YYYY-MM-DD  the run's business day (default 2026-03-31, the data's as-of date:
//                       every invoice is open and most are past due)
//   --payments          also import the generated partial payments (5 % of invoices)
//   --emails N          customers, each with one overdue invoice and an e-mail (default 2,000)
//   --connections a,b   OVERDUE_SMTP_CONNECTIONS to dispatch with (default 5,10)
//   --only dry-run|dispatch  run one half of the bench
//   --no-text           skip the text output variant of the dry run (run once, largest size)
//   --pg URL            a PostgreSQL database to create the scratch database
//                       `overdue_bench_dunning` from (default $BENCH_PG_URL or
//                       postgres://postgres@127.0.0.1:5432/test)
//   --no-pg             skip PostgreSQL
//   --profile / --no-profile  CPU-profile the CLI (default: only where a target is missed)
//   --keep              keep the ledgers in bench/out/dunning-N (deleted by default)
//   --report FILE       print the report of an earlier dunning-results-N.json, run nothing
//   --no-snapshot       run bin/overdue.js on the live dist/ (default: on a copy of bin/, dist/
//                       and templates/ taken at the start, since other work may rebuild dist/
//                       while the bench runs)
//
// Everything it writes goes to bench/out/ (gitignored); the figures also go to
// bench/out/dunning-results-N.json (dunning-results-N-dispatch.json with --only dispatch, …). Generated data is kept in bench/out/dunning-data-SIZE and
// reused while the generator and its options are unchanged.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { SMTPServer } from "smtp-server";
import { LEDGER_CSV_HEADERS } from "../dist/ledger/import/csv-headers.js";
import { DEFAULT_AS_OF, generate } from "./generate.js";
import { measure } from "./measure.js";
import { formatSummary, summarise } from "./profile-summary.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "bench", "out");
/** The CLI the bench runs: bin/overdue.js, or its copy in the snapshot (see `snapshotApp`). */
let CLI = join(ROOT, "bin", "overdue.js");
const SCRATCH_DB = "overdue_bench_dunning";

const TARGETS = {
  /** `run --dry-run` over 1,000,000 open invoices of 100,000 customers. */
  dryRunS: 15,
  dryRunRssMb: 500,
  /** Linear: the cost of the last 100k invoices at most this times that of the first. */
  linearity: 1.25,
  emailsPerS: 200,
};

/** The one-step policy of the dispatch bench: every overdue invoice gets one e-mail. */
const MAIL_POLICY = {
  name: "bench",
  minGapDays: 5,
  steps: [{ id: "s1", offsetDays: 1, channels: ["email"], tone: 1 }],
};

const CUSTOMER_HEADER = LEDGER_CSV_HEADERS.customers;
const INVOICE_HEADER = LEDGER_CSV_HEADERS.invoices;

/** One customer per market in turn, so the e-mails use every language's templates. */
const MAIL_MARKETS = [
  ["SE", "sv", "Europe/Stockholm", "SEK", "Storgatan 1", "111 20", "Stockholm", "AB"],
  ["IT", "it", "Europe/Rome", "EUR", "Via Roma 1", "20121", "Milano", "S.r.l."],
  ["US", "en-US", "America/Chicago", "USD", "1 Main Street", "10001", "New York, NY", "LLC"],
  ["GB", "en-GB", "Europe/London", "GBP", "1 High Street", "EC1A 1BB", "London", "Ltd"],
];

function parseArgs(argv) {
  const options = {
    rows: 1_000_000,
    repeat: 2,
    asOf: DEFAULT_AS_OF,
    payments: false,
    emails: 2_000,
    connections: [5, 10],
    only: null,
    text: true,
    pg: process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    profile: undefined,
    keep: false,
    snapshot: true,
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
    else if (arg === "--as-of") options.asOf = value();
    else if (arg === "--payments") options.payments = true;
    else if (arg === "--emails") options.emails = Number(value());
    else if (arg === "--connections") options.connections = value().split(",").map(Number);
    else if (arg === "--only") options.only = value();
    else if (arg === "--no-text") options.text = false;
    else if (arg === "--pg") options.pg = value();
    else if (arg === "--no-pg") options.pg = null;
    else if (arg === "--profile") options.profile = true;
    else if (arg === "--no-profile") options.profile = false;
    else if (arg === "--keep") options.keep = true;
    else if (arg === "--no-snapshot") options.snapshot = false;
    else if (arg === "--report") options.report = value();
    else throw new Error(`unknown option ${arg} (see the top of bench/dunning.js)`);
  }
  if (options.only && !["dry-run", "dispatch"].includes(options.only)) {
    throw new Error("--only takes dry-run or dispatch");
  }
  options.customers ??= Math.max(100, Math.round(options.rows / 10));
  options.sizes ??= [0.25, 0.5, 1].map((share) => Math.max(1, Math.round(options.rows * share)));
  options.sizes = [
    ...new Set([...options.sizes.filter((s) => s < options.rows), options.rows]),
  ].sort((a, b) => a - b);
  return options;
}

const log = (text) => process.stderr.write(`${text}\n`);
const fmt = (n) => n.toLocaleString("en");
const seconds = (s) => `${s.toFixed(2)} s`;
const mbOf = (kb) => Math.round(kb / 1024);
const cpuS = (m) => (m.userS === null ? Number.NaN : m.userS + m.sysS);

const best = (runs) => runs.reduce((a, b) => (b.wallS < a.wallS ? b : a));
const summary = (runs) => {
  const top = best(runs);
  return {
    wallS: top.wallS,
    rssKb: top.rssKb,
    userS: top.userS,
    sysS: top.sysS,
    runsS: runs.map((r) => Number(r.wallS.toFixed(2))),
    peakRssKb: Math.max(...runs.map((r) => r.rssKb)),
  };
};

/** The environment of every CLI run: no ledger or channel settings from the caller's shell. */
function cliEnv(extra = {}) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith("OVERDUE_")) delete env[name];
  return { ...env, ...extra };
}

function overdue(args, options = {}) {
  return measure(process.execPath, [CLI, ...args], { ...options, env: options.env ?? cliEnv() });
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

/** A digest of a compiled dist/ (its .js files and their paths within it). */
function distFingerprint(root = join(ROOT, "dist")) {
  const hash = createHash("sha256");
  const walk = (dir, prefix) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else if (entry.name.endsWith(".js")) {
        hash.update(`${prefix}${entry.name}`).update(readFileSync(path));
      }
    }
  };
  walk(root, "");
  return hash.digest("hex").slice(0, 12);
}

/**
 * Copies bin/, dist/, templates/ and package.json to `dir`, with node_modules linked, so a
 * rebuild of dist/ by other work cannot change the code under test halfway through. Tries
 * again while dist/ changes under the copy. Returns the fingerprint of the copy.
 */
function snapshotApp(dir) {
  for (let attempt = 0; attempt < 10; attempt++) {
    const before = distFingerprint();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const name of ["bin", "dist", "templates", "package.json"]) {
      cpSync(join(ROOT, name), join(dir, name), { recursive: true });
    }
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
    const copied = distFingerprint(join(dir, "dist"));
    if (copied === before && distFingerprint() === before) return copied;
    spawnSync("sleep", ["5"]);
  }
  throw new Error("dist/ kept changing while it was copied; try again later");
}

function environment() {
  const text = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: "utf8", cwd: ROOT });
    return r.status === 0 ? r.stdout.trim() : null;
  };
  const memory = new BetterSqlite3(":memory:");
  const betterSqlite3Sqlite = memory.prepare("select sqlite_version() as v").get().v;
  memory.close();
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    betterSqlite3Sqlite,
    gitHead: text("git", ["rev-parse", "--short", "HEAD"]),
    gitDirty: (text("git", ["status", "--porcelain", "--", "src"]) ?? "")
      .split("\n")
      .filter(Boolean),
    loadAvgStart: os.loadavg().map((l) => Number(l.toFixed(2))),
    dist: distFingerprint(),
  };
}

/** Generated data for one size, reused while the generator and the options are the same. */
function dataFor(size, options) {
  const customers = Math.max(100, Math.round((size * options.customers) / options.rows));
  const out = join(OUT, `dunning-data-${size}`);
  const generator = createHash("sha256")
    .update(readFileSync(join(ROOT, "bench", "generate.js")))
    .digest("hex")
    .slice(0, 16);
  const key = JSON.stringify({ rows: size, customers, asOf: options.asOf, generator });
  const metaFile = join(out, "meta.json");
  if (existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, "utf8"));
    if (meta.key === key && Object.values(meta.data.files).every((f) => existsSync(f))) {
      log(`data for ${fmt(size)} invoices: reusing ${out}`);
      return meta.data;
    }
  }
  const start = performance.now();
  const data = generate({ rows: size, customers, asOf: options.asOf, out });
  log(
    `generated ${fmt(size)} invoices of ${fmt(customers)} customers in ${seconds((performance.now() - start) / 1000)}`,
  );
  writeFileSync(metaFile, JSON.stringify({ key, data }));
  return data;
}

/** Counts of a `run --json` document: contacts by channel, invoices in them, held back. */
function planCounts(file) {
  const plan = JSON.parse(readFileSync(file, "utf8"));
  const byChannel = {};
  let items = 0;
  for (const contact of plan.contacts) {
    byChannel[contact.channel] = (byChannel[contact.channel] ?? 0) + 1;
    items += contact.invoices.length;
  }
  return {
    contacts: plan.contacts.length,
    byChannel,
    invoicesInContacts: items,
    escalations: plan.escalations.length,
    notChased: plan.notChased.length,
    outputMb: Number((statSync(file).size / 2 ** 20).toFixed(1)),
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.report) {
    process.stdout.write(`${report(JSON.parse(readFileSync(options.report, "utf8")))}\n`);
    return;
  }
  mkdirSync(OUT, { recursive: true });
  const N = options.rows;
  const work = join(OUT, `dunning-${N}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const results = { options, env: environment(), targets: TARGETS };
  if (options.snapshot) {
    const app = join(work, "app");
    results.env.dist = snapshotApp(app);
    CLI = join(app, "bin", "overdue.js");
    log(`running the CLI from a copy of dist/ ${results.env.dist} in ${app}`);
  }
  log(
    `collections loop bench: ${fmt(N)} invoices, ${fmt(options.customers)} customers, as of ${options.asOf}; sizes ${options.sizes.map(fmt).join(", ")}`,
  );

  const admin = options.pg ? await connectAdmin(options.pg) : null;
  if (options.pg && !admin) results.pgSkipped = `cannot connect to ${options.pg}`;
  if (admin) {
    results.env.postgres = (await admin.query("show server_version")).rows[0].server_version;
  }
  const stores = [
    { name: "SQLite", fresh: freshSqlite(work) },
    ...(admin ? [{ name: "PostgreSQL", fresh: freshPostgres(admin, options.pg) }] : []),
  ];
  let finished = false;
  try {
    if (options.only !== "dispatch") results.dryRun = await dryRunBench(options, stores, work);
    if (options.only !== "dry-run") results.dispatch = await dispatchBench(options, stores, work);
    finished = true;
  } finally {
    if (admin) {
      await admin.query(`drop database if exists ${SCRATCH_DB} with (force)`);
      await admin.end();
    }
    // After a failure the SQLite ledgers and outputs stay in bench/out/dunning-N to look at.
    if (finished && !options.keep) rmSync(work, { recursive: true, force: true });
  }

  results.env.loadAvgEnd = os.loadavg().map((l) => Number(l.toFixed(2)));
  results.env.distLiveEnd = distFingerprint();
  if (!options.snapshot && results.env.distLiveEnd !== results.env.dist) {
    log("warning: dist/ was rebuilt while the bench ran; the figures mix two builds");
  }
  const resultsFile = join(
    OUT,
    `dunning-results-${N}${options.only ? `-${options.only}` : ""}.json`,
  );
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${report(results)}\n`);
  log(`figures written to ${resultsFile}`);
}

async function connectAdmin(url) {
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
    return admin;
  } catch (error) {
    log(`PostgreSQL skipped: cannot connect to ${url}: ${error.message}`);
    return null;
  }
}

function pgUrl(admin, database) {
  const url = new URL(admin);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A new, empty SQLite ledger file each call. */
function freshSqlite(work) {
  return async (label) => {
    const file = join(work, `${label}.db`);
    removeSqlite(file);
    return { url: file, drop: async () => removeSqlite(file) };
  };
}

/** The scratch PostgreSQL database, dropped and created again each call. */
function freshPostgres(admin, adminUrl) {
  return async () => {
    await admin.query(`drop database if exists ${SCRATCH_DB} with (force)`);
    await admin.query(`create database ${SCRATCH_DB}`);
    return {
      url: pgUrl(adminUrl, SCRATCH_DB),
      drop: () => admin.query(`drop database if exists ${SCRATCH_DB} with (force)`),
    };
  };
}

/** Takes statistics the way autovacuum would have after a bulk load. */
async function vacuumAnalyze(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("vacuum analyze");
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// 1. `overdue run --dry-run` over growing ledgers.

async function dryRunBench(options, stores, work) {
  const out = { fixed: {}, sizes: [] };
  const datasets = options.sizes.map((size) => dataFor(size, options));
  const runArgs = (url) => ["--db", url, "run", "--as-of", options.asOf, "--dry-run"];

  for (const store of stores) {
    // What a run costs before it reads anything: Node, the CLI, the holiday tables, the schema.
    const empty = await store.fresh("empty");
    const emptyRuns = [];
    for (let r = 0; r < options.repeat; r++) {
      emptyRuns.push(await overdue([...runArgs(empty.url), "--json"], { stdout: "/dev/null" }));
    }
    await empty.drop();
    out.fixed[store.name] = summary(emptyRuns);
    log(`${store.name}: dry run on an empty ledger ${seconds(out.fixed[store.name].wallS)}`);

    for (const data of datasets) {
      const size = data.invoices;
      const ledger = await store.fresh(`ledger-${size}`);
      const entry = { store: store.name, invoices: size, customers: data.customers };
      try {
        const imports = [
          await importWithCli(ledger.url, "customers", data.files.customers, data.customers),
          await importWithCli(ledger.url, "invoices", data.files.invoices, data.invoices),
        ];
        if (options.payments) {
          imports.push(
            await importWithCli(ledger.url, "payments", data.files.payments, data.payments),
          );
          entry.payments = data.payments;
        }
        entry.importS = Number(imports.reduce((s, m) => s + m.wallS, 0).toFixed(2));
        if (store.name === "PostgreSQL") await vacuumAnalyze(ledger.url);
        log(`${store.name}: ${fmt(size)} invoices imported in ${seconds(entry.importS)}`);

        const planFile = join(work, `plan-${size}.json`);
        const runs = [];
        for (let r = 0; r < options.repeat; r++) {
          runs.push(await overdue([...runArgs(ledger.url), "--json"], { stdout: planFile }));
        }
        entry.json = summary(runs);
        entry.plan = planCounts(planFile);
        if (entry.plan.contacts === 0) {
          throw new Error(
            `the dry run over ${fmt(size)} invoices planned no contact (${JSON.stringify(entry.plan)}; the output is in ${planFile}); check --as-of`,
          );
        }
        rmSync(planFile, { force: true });
        log(
          `${store.name}: dry run --json over ${fmt(size)} invoices: ${seconds(entry.json.wallS)} (runs ${entry.json.runsS.join(", ")}), peak RSS ${mbOf(entry.json.peakRssKb)} MB, ${fmt(entry.plan.contacts)} contacts, ${entry.plan.outputMb} MB of JSON`,
        );

        const largest = size === options.rows;
        if (options.text && largest) {
          const textFile = join(work, `plan-${size}.txt`);
          entry.text = summary([await overdue(runArgs(ledger.url), { stdout: textFile })]);
          entry.text.outputMb = Number((statSync(textFile).size / 2 ** 20).toFixed(1));
          rmSync(textFile, { force: true });
          log(
            `${store.name}: dry run (text) over ${fmt(size)} invoices: ${seconds(entry.text.wallS)}, peak RSS ${mbOf(entry.text.peakRssKb)} MB`,
          );
        }
        const missed =
          entry.json.wallS > TARGETS.dryRunS || entry.json.peakRssKb / 1024 > TARGETS.dryRunRssMb;
        if (largest && (options.profile ?? missed)) {
          entry.profile = await profileCli(
            `dry-run-${store.name.toLowerCase()}-${size}`,
            [...runArgs(ledger.url), "--json"],
            {},
          );
        }
      } finally {
        if (!options.keep) await ledger.drop();
      }
      out.sizes.push(entry);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 2. E-mail dispatch to a local SMTP server.

/** An SMTP server in this process that takes every message and counts it. */
async function startSmtp() {
  const stats = { messages: 0, bytes: 0, firstMs: 0, lastMs: 0, sessions: 0, open: 0, maxOpen: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onConnect(_session, callback) {
      stats.sessions += 1;
      stats.open += 1;
      stats.maxOpen = Math.max(stats.maxOpen, stats.open);
      callback();
    },
    onClose() {
      stats.open -= 1;
    },
    onData(stream, _session, callback) {
      stream.on("data", (chunk) => {
        stats.bytes += chunk.length;
      });
      stream.on("end", () => {
        const now = performance.now();
        stats.messages += 1;
        if (stats.messages === 1) stats.firstMs = now;
        stats.lastMs = now;
        callback();
      });
    },
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address();
  return {
    url: `smtp://127.0.0.1:${port}`,
    stats,
    reset() {
      Object.assign(stats, { messages: 0, bytes: 0, firstMs: 0, lastMs: 0, sessions: 0 });
      stats.maxOpen = stats.open;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** customers.csv and invoices.csv: `count` customers, each with one invoice 10 days overdue. */
function mailLedger(count, asOf, dir) {
  mkdirSync(dir, { recursive: true });
  const day = (offset) =>
    new Date(Date.parse(`${asOf}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
  const customers = [CUSTOMER_HEADER.join(",")];
  const invoices = [INVOICE_HEADER.join(",")];
  for (let n = 1; n <= count; n++) {
    const [country, language, timezone, currency, street, postal, city, suffix] =
      MAIL_MARKETS[n % MAIL_MARKETS.length];
    const id = `M${String(n).padStart(6, "0")}`;
    customers.push(
      [
        id,
        `Bench Customer ${n} ${suffix}`,
        "business",
        `accounts@m${n}.example`,
        "",
        country,
        language,
        timezone,
        street,
        "",
        postal,
        `"${city}"`,
      ].join(","),
    );
    const amount = `${1000 + (n % 9000)}.${String(n % 100).padStart(2, "0")}`;
    invoices.push(
      [`MINV-${String(n).padStart(6, "0")}`, id, day(-40), day(-10), currency, amount].join(","),
    );
  }
  const files = {
    customers: join(dir, "customers.csv"),
    invoices: join(dir, "invoices.csv"),
    policy: join(dir, "policy.json"),
  };
  writeFileSync(files.customers, `${customers.join("\n")}\n`);
  writeFileSync(files.invoices, `${invoices.join("\n")}\n`);
  writeFileSync(files.policy, `${JSON.stringify(MAIL_POLICY, null, 2)}\n`);
  return files;
}

async function dispatchBench(options, stores, work) {
  const E = options.emails;
  const files = mailLedger(E, options.asOf, join(work, "mail"));
  // 15:00 UTC is inside the contact guard's 08:00–21:00 in every market's zone (Chicago 09:00).
  const at = `${options.asOf}T15:00:00Z`;
  const smtp = await startSmtp();
  const baseEnv = {
    OVERDUE_FROM: "Bench AB <ar@bench.example>",
    OVERDUE_LETTER_DIR: join(work, "letters"),
    OVERDUE_COMPANY_ADDRESS: "Storgatan 5; 111 43 Stockholm",
  };
  const mailEnv = (connections) =>
    cliEnv({
      ...baseEnv,
      OVERDUE_SMTP_URL: smtp.url,
      OVERDUE_SMTP_CONNECTIONS: String(connections),
    });
  const out = { emails: E, at, rows: [], combined: [] };

  /** A new ledger with the customers, the invoices and the one-step policy. */
  const prepare = async (store) => {
    const ledger = await store.fresh("mail");
    await importWithCli(ledger.url, "customers", files.customers, E);
    await importWithCli(ledger.url, "invoices", files.invoices, E);
    await overdue(["--db", ledger.url, "policy", "set", files.policy]);
    return ledger;
  };
  const runArgs = (url) => ["--db", url, "run", "--as-of", options.asOf, "--at", at, "--json"];

  try {
    for (const store of stores) {
      for (const connections of options.connections) {
        const plans = [];
        const sends = [];
        for (let r = 0; r < options.repeat; r++) {
          const ledger = await prepare(store);
          try {
            // Plan only: without OVERDUE_SMTP_URL the e-mails wait in the outbox.
            const plan = await overdue(runArgs(ledger.url), { env: cliEnv(baseEnv) });
            const planned = JSON.parse(plan.stdout).planned;
            if (planned !== E) throw new Error(`run planned ${planned} contacts, not ${E}`);
            plans.push(plan);

            smtp.reset();
            const send = await overdue(["--db", ledger.url, "dispatch", "--at", at, "--json"], {
              env: mailEnv(connections),
            });
            const sent = JSON.parse(send.stdout);
            if (sent.sent !== E || smtp.stats.messages !== E) {
              throw new Error(
                `dispatch sent ${sent.sent} (server received ${smtp.stats.messages}), not ${E}: ${send.stdout}`,
              );
            }
            send.server = {
              messages: smtp.stats.messages,
              kbPerMessage: Math.round(smtp.stats.bytes / smtp.stats.messages / 1024),
              windowS: (smtp.stats.lastMs - smtp.stats.firstMs) / 1000,
              sessions: smtp.stats.sessions,
              maxOpen: smtp.stats.maxOpen,
            };
            sends.push(send);
          } finally {
            await ledger.drop();
          }
        }
        const send = best(sends);
        const row = {
          store: store.name,
          emails: E,
          connections,
          planS: summary(plans).wallS,
          dispatch: summary(sends),
          server: send.server,
          perS: E / send.wallS,
          steadyPerS: (E - 1) / send.server.windowS,
        };
        out.rows.push(row);
        log(
          `${store.name}: dispatch of ${fmt(E)} e-mails over ${connections} connections: ${seconds(row.dispatch.wallS)} (runs ${row.dispatch.runsS.join(", ")}), ${Math.round(row.perS)}/s (${Math.round(row.steadyPerS)}/s between first and last message), ${row.server.kbPerMessage} KB a message, peak RSS ${mbOf(row.dispatch.peakRssKb)} MB; planning took ${seconds(row.planS)}`,
        );
      }

      // The whole loop in one command: plan and send.
      const connections = options.connections[0];
      const ledger = await prepare(store);
      try {
        smtp.reset();
        const whole = await overdue(runArgs(ledger.url), { env: mailEnv(connections) });
        const json = JSON.parse(whole.stdout);
        if (json.planned !== E || json.dispatch.sent !== E) {
          throw new Error(`run planned ${json.planned}, sent ${json.dispatch.sent}, not ${E}`);
        }
        out.combined.push({
          store: store.name,
          emails: E,
          connections,
          ...summary([whole]),
          perS: E / whole.wallS,
        });
        log(`${store.name}: run (plan and send) ${fmt(E)} e-mails: ${seconds(whole.wallS)}`);
      } finally {
        await ledger.drop();
      }

      const row = out.rows.find((r) => r.store === store.name);
      if (options.profile ?? row.perS < TARGETS.emailsPerS) {
        const profiled = await prepare(store);
        try {
          await overdue(runArgs(profiled.url), { env: cliEnv(baseEnv) });
          row.profile = await profileCli(
            `dispatch-${store.name.toLowerCase()}`,
            ["--db", profiled.url, "dispatch", "--at", at, "--json"],
            { env: mailEnv(row.connections) },
          );
        } finally {
          await profiled.drop();
        }
      }
    }
  } finally {
    await smtp.close();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Profiles and the report.

/** CPU profile of one CLI command; the summary names the hot functions. */
async function profileCli(name, args, { env }) {
  const dir = join(OUT, `dunning-profile-${name}`);
  rmSync(dir, { recursive: true, force: true });
  const run = await measure(process.execPath, ["--cpu-prof", "--cpu-prof-dir", dir, CLI, ...args], {
    stdout: "/dev/null",
    env: env ?? cliEnv(),
  });
  const [profileFile] = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  const file = join(dir, profileFile);
  const profile = summarise(JSON.parse(readFileSync(file, "utf8")), 30);
  log(`profile of ${name} (${seconds(run.wallS)} under the profiler; ${file}):`);
  log(formatSummary(profile));
  return { file, wallS: run.wallS, ...profile };
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

const wallOf = (m) => m.wallS;

/** Seconds per 100k invoices: overall, and between this size and the one before. */
function perHundredK(entries, metric = wallOf) {
  return entries.map((e, i) => {
    const previous = entries[i - 1];
    return {
      ...e,
      perS: (metric(e.json) / e.invoices) * 100_000,
      marginalS: previous
        ? ((metric(e.json) - metric(previous.json)) / (e.invoices - previous.invoices)) * 100_000
        : null,
    };
  });
}

/**
 * Linear if the cost per invoice between the two largest sizes is within the target of the cost
 * between the two smallest (with two sizes: of the smallest, less the empty ledger's run).
 * `metric` is wall time (the target), or the CLI's CPU time, which background load moves less.
 */
function linearity(entries, fixed, metric = wallOf) {
  const steps = perHundredK(entries, metric);
  if (steps.length < 2) return null;
  const first =
    steps.length >= 3
      ? { slope: steps[1].marginalS, from: steps[0].invoices, to: steps[1].invoices }
      : {
          slope: ((metric(steps[0].json) - metric(fixed)) / steps[0].invoices) * 100_000,
          from: 0,
        };
  first.to ??= steps[0].invoices;
  const last = {
    slope: steps.at(-1).marginalS,
    from: steps.at(-2).invoices,
    to: steps.at(-1).invoices,
  };
  return { first, last, ratio: last.slope / first.slope };
}

function report(results) {
  const { options, env } = results;
  const verdict = (ok) => (ok ? "met" : "MISSED");
  const lines = [
    `Collections loop bench, ${env.date.slice(0, 10)}: as of ${options.asOf}, best of ${options.repeat}`,
    `${env.cpus} × ${env.cpuModel}, ${env.memoryGb} GB, node ${env.node}, SQLite ${env.betterSqlite3Sqlite}${env.postgres ? `, PostgreSQL ${env.postgres}` : ""}`,
    `git ${env.gitHead}${env.gitDirty.length ? ` + uncommitted src changes (${env.gitDirty.length} files)` : ""}; load ${env.loadAvgStart.join(" ")} → ${env.loadAvgEnd.join(" ")}`,
    `dist ${env.dist}${options.snapshot ? " (a copy taken at the start)" : ""}${env.distLiveEnd === env.dist ? "" : options.snapshot ? `; the live dist/ is now ${env.distLiveEnd}` : ` → ${env.distLiveEnd} (REBUILT during the run: the figures mix two builds)`}`,
  ];
  if (results.dryRun) {
    const { sizes, fixed } = results.dryRun;
    const rows = [];
    const linear = [];
    for (const store of Object.keys(fixed)) {
      const entries = perHundredK(sizes.filter((e) => e.store === store));
      rows.push([
        store,
        "0 (empty ledger)",
        "",
        "",
        seconds(fixed[store].wallS),
        seconds(cpuS(fixed[store])),
        `${mbOf(fixed[store].peakRssKb)} MB`,
        "",
        "",
        "",
      ]);
      for (const e of entries) {
        const top = e.invoices === options.rows;
        rows.push([
          store,
          fmt(e.invoices),
          fmt(e.customers),
          fmt(e.plan.contacts),
          seconds(e.json.wallS),
          seconds(cpuS(e.json)),
          `${mbOf(e.json.peakRssKb)} MB`,
          seconds(e.perS),
          e.marginalS === null ? "" : seconds(e.marginalS),
          top
            ? `${verdict(e.json.wallS <= TARGETS.dryRunS)} / ${verdict(mbOf(e.json.peakRssKb) <= TARGETS.dryRunRssMb)}`
            : "",
        ]);
      }
      const l = linearity(entries, fixed[store]);
      const c = linearity(entries, fixed[store], cpuS);
      if (l) {
        const span = (p) => `${seconds(p.slope)} per 100k from ${fmt(p.from)} to ${fmt(p.to)}`;
        linear.push(
          `${store} wall: ${span(l.first)}, ${span(l.last)} (${l.ratio.toFixed(2)}×, target ≤ ${TARGETS.linearity}×): ${verdict(l.ratio <= TARGETS.linearity)}`,
          `${store} CPU:  ${span(c.first)}, ${span(c.last)} (${c.ratio.toFixed(2)}×)`,
        );
      }
    }
    lines.push(
      "",
      `run --dry-run --json (targets at ${fmt(options.rows)}: ≤ ${TARGETS.dryRunS} s / ≤ ${TARGETS.dryRunRssMb} MB):`,
      table(
        [
          "store",
          "invoices",
          "customers",
          "contacts",
          "wall",
          "CPU",
          "peak RSS",
          "per 100k",
          "marginal",
          "target",
        ],
        rows,
      ),
      ...linear,
    );
    for (const e of sizes) {
      lines.push(
        `${e.store} ${fmt(e.invoices)}: contacts ${JSON.stringify(e.plan.byChannel)}, ${fmt(e.plan.invoicesInContacts)} invoices in them, ${fmt(e.plan.escalations)} escalations, ${fmt(e.plan.notChased)} held back, ${e.plan.outputMb} MB of JSON; CPU ${seconds(cpuS(e.json))}; import ${seconds(e.importS)}${e.text ? `; text output ${seconds(e.text.wallS)}, ${mbOf(e.text.peakRssKb)} MB, ${e.text.outputMb} MB` : ""}`,
      );
    }
  }
  if (results.dispatch) {
    const d = results.dispatch;
    lines.push(
      "",
      `dispatch of ${fmt(d.emails)} e-mails (target ≥ ${TARGETS.emailsPerS}/s):`,
      table(
        [
          "store",
          "e-mails",
          "connections",
          "wall",
          "e-mails/s",
          "first→last",
          "KB/msg",
          "peak RSS",
          "plan (run)",
          "target",
        ],
        d.rows.map((r) => [
          r.store,
          fmt(r.emails),
          `${r.connections} (${r.server.maxOpen} open)`,
          seconds(r.dispatch.wallS),
          Math.round(r.perS),
          `${Math.round(r.steadyPerS)}/s`,
          r.server.kbPerMessage,
          `${mbOf(r.dispatch.peakRssKb)} MB`,
          seconds(r.planS),
          verdict(r.perS >= TARGETS.emailsPerS),
        ]),
      ),
      ...d.combined.map(
        (c) =>
          `${c.store}: run planning and sending ${fmt(c.emails)} e-mails in one command over ${c.connections} connections: ${seconds(c.wallS)} (${Math.round(c.perS)}/s)`,
      ),
    );
  }
  const profiles = [
    ...(results.dryRun?.sizes ?? []).filter((e) => e.profile).map((e) => e.profile),
    ...(results.dispatch?.rows ?? []).filter((r) => r.profile).map((r) => r.profile),
  ];
  for (const p of profiles) {
    lines.push("", `CPU profile ${p.file}:`);
    lines.push(formatSummary({ ...p, functions: p.functions.slice(0, 20) }));
  }
  return lines.join("\n");
}

await main();
