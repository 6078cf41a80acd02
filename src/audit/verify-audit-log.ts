import type { Database } from "../db/database.js";
import { CHAINED_COLUMNS } from "./audit-hash.js";
import { type BrokenLink, type ChainAnchor, ChainWalk, type SealedEntry } from "./chain-walk.js";
import type { ChainHead } from "./seal-audit-log.js";

export type AuditVerification = {
  readonly ok: boolean;
  /** Every entry of the log, sealed or not. */
  readonly entries: number;
  readonly sealed: number;
  /** Written and not sealed yet: not covered by the chain. */
  readonly unsealed: number;
  /** The newest sealed entry as stored: keep it elsewhere to detect the newest entries deleted. */
  readonly head: ChainHead | null;
  readonly firstBroken: BrokenLink | null;
};

/** Sealed entries read at a time: memory stays flat however long the log. */
const PAGE_ROWS = 5000;

/**
 * Walks the sealed entries in seq order, recomputing each hash from its content and the hash
 * before it, and reports the first broken link. Reads only. Entries sealed while it walks are
 * past the head it started from and are left for the next verify.
 */
export async function verifyAuditLog(
  database: Database,
  options: { readonly anchor?: ChainAnchor } = {},
): Promise<AuditVerification> {
  const { db } = database;
  // One statement, so the three agree with each other whatever is sealed meanwhile.
  const counts = await db
    .selectFrom("contact_log")
    .select((eb) => [
      eb.fn.countAll<bigint>().as("entries"),
      eb.fn.count<bigint>("seq").as("sealed"),
      eb.fn.max("seq").as("last"),
    ])
    .executeTakeFirstOrThrow();
  const entries = Number(counts.entries);
  const sealed = Number(counts.sealed);
  const last = counts.last === null ? null : BigInt(counts.last);
  const headRow =
    last === null
      ? undefined
      : await db
          .selectFrom("contact_log")
          .select(["seq", "hash"])
          .where("seq", "=", last)
          .executeTakeFirst();

  const walk = new ChainWalk(options.anchor);
  let after = 0n;
  let going = last !== null;
  while (going && last !== null) {
    const query = db
      .selectFrom("contact_log")
      .select([...CHAINED_COLUMNS, "hash"])
      .where("seq", ">", after)
      .where("seq", "<=", last)
      .orderBy("seq")
      .limit(PAGE_ROWS)
      .compile();
    const rows = await database.arrays(query);
    for (const row of rows) {
      const entry = entryOf(row);
      after = entry.seq;
      if (!walk.add(entry)) {
        going = false;
        break;
      }
    }
    if (rows.length < PAGE_ROWS) going = false;
  }
  // Entries with a seq at or below 0 are outside the walk; the count catches them.
  const firstBroken = walk.end(sealed);
  return {
    ok: firstBroken === null,
    entries,
    sealed,
    unsealed: entries - sealed,
    head: headRow?.seq != null ? { seq: String(headRow.seq), hash: headRow.hash ?? "" } : null,
    firstBroken,
  };
}

/** A row of CHAINED_COLUMNS and hash, as `arrays` returns it. */
function entryOf(row: readonly unknown[]): SealedEntry {
  const [seq, id, at, customer, invoice, outbox, channel, status, rule, reason, actor, key, hash] =
    row;
  return {
    seq: BigInt(seq as bigint),
    id: BigInt(id as bigint),
    at: at as string,
    customer_id: customer as string,
    invoice_id: invoice as string | null,
    outbox_id: outbox === null ? null : BigInt(outbox as bigint),
    channel: channel as string | null,
    status: status as string,
    rule: rule as string,
    reason: reason as string,
    actor: actor as string | null,
    dedupe_key: key as string | null,
    hash: hash as string | null,
  };
}
