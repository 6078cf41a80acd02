// Sealing and verifying the audit chain: N entries written as a run writes them (writeLog, in
// one transaction), then sealed, then verified, in process, on SQLite (and PostgreSQL).
// See docs/audit.md ("Speed").
//
//   npm run build && node bench/audit.js                # 100,000 entries
//   node bench/audit.js --entries 1000000 --no-pg
//
// Options: --entries N (default 100,000), --repeat N (each on a fresh store; the best is kept;
// default 3), --no-pg, --pg URL (default $BENCH_PG_URL or postgres://postgres@127.0.0.1:5432/test).
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { sealAuditLog } from "../dist/audit/seal-audit-log.js";
import { verifyAuditLog } from "../dist/audit/verify-audit-log.js";
import { openDatabase } from "../dist/db/database.js";
import { writeLog } from "../dist/dunning/contact-log.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "bench", "out");
const SCRATCH_DB = "overdue_bench_audit";

const options = {
  entries: 100_000,
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

/** Entries shaped like a run's: a planned contact per customer, with its invoices in the reason. */
function entries(count) {
  return Array.from({ length: count }, (_, i) => ({
    at: "2026-03-10T08:00:00.000Z",
    customerId: `C${String(i % 50_000).padStart(6, "0")}`,
    outboxId: BigInt(i + 1),
    channel: i % 3 === 0 ? "letter" : "email",
    status: "planned",
    rule: "ladder",
    reason: `INV-${100_000 + i} (s${(i % 4) + 1}), INV-${200_000 + i} (s1)`,
  }));
}

async function adminQuery(text) {
  const client = new pg.Client({ connectionString: options.pg });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function freshUrl(kind) {
  if (kind === "sqlite") {
    mkdirSync(OUT, { recursive: true });
    const file = join(OUT, "audit-bench.db");
    for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
    return file;
  }
  await adminQuery(`drop database if exists ${SCRATCH_DB} with (force)`);
  await adminQuery(`create database ${SCRATCH_DB}`);
  const url = new URL(options.pg);
  url.pathname = `/${SCRATCH_DB}`;
  return url.toString();
}

async function once(kind) {
  const database = await openDatabase(await freshUrl(kind));
  try {
    const rows = entries(options.entries);
    await database.db.transaction().execute((trx) => writeLog(trx, rows));
    let started = performance.now();
    const sealed = await sealAuditLog(database);
    const seal = performance.now() - started;
    if (sealed.sealed !== options.entries) throw new Error(`sealed ${sealed.sealed}`);
    started = performance.now();
    const verified = await verifyAuditLog(database);
    const verify = performance.now() - started;
    if (!verified.ok || verified.sealed !== options.entries) throw new Error("verify failed");
    return { seal, verify };
  } finally {
    await database.close();
  }
}

for (const kind of options.noPg ? ["sqlite"] : ["sqlite", "postgres"]) {
  let best;
  for (let run = 0; run < options.repeat; run++) {
    const result = await once(kind);
    if (!best || result.seal < best.seal) best = result;
  }
  const rate = (ms) => Math.round(options.entries / (ms / 1000)).toLocaleString("en");
  console.log(
    `${kind}: ${options.entries.toLocaleString("en")} entries sealed in ${best.seal.toFixed(0)} ms (${rate(best.seal)}/s), verified in ${best.verify.toFixed(0)} ms (${rate(best.verify)}/s), best of ${options.repeat}`,
  );
  if (kind === "postgres") await adminQuery(`drop database if exists ${SCRATCH_DB} with (force)`);
}
