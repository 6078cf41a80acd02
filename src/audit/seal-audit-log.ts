import { CompiledQuery, type Kysely } from "kysely";
import type { Database } from "../db/database.js";
import type { StoreDialect } from "../db/dialects.js";
import type { LedgerSchema } from "../db/schema.js";
import { CHAINED_COLUMNS, chainHash, GENESIS_HASH } from "./audit-hash.js";

export type ChainHead = { readonly seq: string; readonly hash: string };

export type SealReport = {
  /** Entries sealed now. */
  readonly sealed: number;
  /** The newest sealed entry afterwards; null while nothing is sealed. */
  readonly head: ChainHead | null;
};

/** Unsealed entries read at a time, and sealed by one statement. */
const PAGE_ROWS = 5000;
const ROWS_PER_UPDATE = 500;

/**
 * Seals every entry written since the last seal: in id order, each gets the next seq and the
 * hash that chains it to the entry before (see docs/decisions/0009-audit-chain-sealed-after-write.md).
 * Under the store's exclusive lock, so two processes never extend the chain at once; an entry
 * another process commits meanwhile is sealed by the next seal, with a later seq.
 */
export async function sealAuditLog(database: Database): Promise<SealReport> {
  return database.exclusive(async (db) => {
    const head = await db
      .selectFrom("contact_log")
      .select(["seq", "hash"])
      .where("seq", "is not", null)
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirst();
    let seq = head?.seq ?? 0n;
    let previous = head?.hash ?? GENESIS_HASH;
    let sealed = 0;
    let after: bigint | undefined;
    for (;;) {
      let page = db
        .selectFrom("contact_log")
        .select(CHAINED_COLUMNS.filter((column) => column !== "seq"))
        .where("seq", "is", null);
      if (after !== undefined) page = page.where("id", ">", after);
      const rows = await page.orderBy("id").limit(PAGE_ROWS).execute();
      if (rows.length === 0) break;
      const links: [bigint, bigint, string][] = [];
      for (const row of rows) {
        seq += 1n;
        previous = chainHash(previous, { ...row, seq });
        links.push([row.id, seq, previous]);
      }
      for (let i = 0; i < links.length; i += ROWS_PER_UPDATE) {
        const chunk = links.slice(i, i + ROWS_PER_UPDATE);
        const result = await db.executeQuery(
          CompiledQuery.raw(sealSql(database.dialect, chunk.length), chunk.flat()),
        );
        if (result.numAffectedRows !== BigInt(chunk.length)) {
          // Only a seal outside this lock could have taken them: nothing is kept.
          throw new Error(
            `sealing the audit log: ${chunk.length} entries, ${result.numAffectedRows} sealed`,
          );
        }
      }
      sealed += rows.length;
      after = rows[rows.length - 1]?.id;
    }
    return { sealed, head: seq === 0n ? null : { seq: String(seq), hash: previous } };
  });
}

const sealSqlCache = new Map<string, string>();

/**
 * One UPDATE … FROM (VALUES (id, seq, hash), …): both stores have it. No `seq is null` here:
 * SQLite would then walk the index of unsealed entries for every statement instead of looking
 * each id up (100,000 entries took minutes). A sealed entry cannot be sealed again anyway:
 * the append-only trigger refuses it, failing the statement.
 */
function sealSql(dialect: StoreDialect, rows: number): string {
  const key = `${dialect.name}|${rows}`;
  let text = sealSqlCache.get(key);
  if (text === undefined) {
    const typed = dialect.typedPlaceholder;
    const values = Array.from(
      { length: rows },
      (_, row) =>
        `(${typed(3 * row, "bigint")}, ${typed(3 * row + 1, "bigint")}, ${typed(3 * row + 2, "text")})`,
    ).join(", ");
    text =
      "update contact_log set seq = v.column2, hash = v.column3 " +
      `from (values ${values}) as v where contact_log.id = v.column1`;
    sealSqlCache.set(key, text);
  }
  return text;
}

/** The newest entry's id: compared before and after a command to tell whether it logged anything. */
async function lastEntryId(db: Kysely<LedgerSchema>): Promise<bigint | null> {
  const row = await db
    .selectFrom("contact_log")
    .select((eb) => eb.fn.max("id").as("id"))
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * Runs `work`, then seals what it logged. A command that logged nothing never takes the lock,
 * so reading commands neither wait for a writer nor write. A seal that fails after the work
 * succeeded is reported to `sealFailed` rather than failing the work, which is committed:
 * the next command that logs seals those entries too.
 */
export async function sealingAfter<T>(
  database: Database,
  work: (database: Database) => Promise<T>,
  sealFailed: (error: unknown) => void,
): Promise<T> {
  const before = await lastEntryId(database.db);
  const seal = async () => {
    if ((await lastEntryId(database.db)) === before) return;
    await sealAuditLog(database);
  };
  let result: T;
  try {
    result = await work(database);
  } catch (error) {
    // What the work committed before it failed is sealed all the same.
    await seal().catch(sealFailed);
    throw error;
  }
  await seal().catch(sealFailed);
  return result;
}
