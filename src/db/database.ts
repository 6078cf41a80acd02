import BetterSqlite3 from "better-sqlite3";
import {
  type CompiledQuery,
  Kysely,
  type Migration,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
} from "kysely";
import pg from "pg";
import { OverdueError } from "../kernel/errors.js";
import { POSTGRES, SQLITE, type StoreDialect } from "./dialects.js";
import { ledgerMigration } from "./migrations/0001-ledger.js";
import { policiesMigration } from "./migrations/0002-policies.js";
import { collectionsMigration } from "./migrations/0003-collections.js";
import { bankMigration } from "./migrations/0004-bank.js";
import { customerRiskMigration } from "./migrations/0005-customer-risk.js";
import { auditChainMigration } from "./migrations/0006-audit-chain.js";
import { guardMigration } from "./migrations/0007-guard.js";
import type { LedgerSchema } from "./schema.js";

export type Database = {
  readonly db: Kysely<LedgerSchema>;
  readonly dialect: StoreDialect;
  /** Where the data lives, with any password removed, for messages. */
  readonly location: string;
  /**
   * Runs `work` in a transaction that only one process at a time may hold, for the few
   * decisions that must not interleave (planning a run). SQLite takes its write lock up front
   * (BEGIN IMMEDIATE); PostgreSQL takes an advisory lock held until the commit.
   */
  exclusive<T>(work: (db: Kysely<LedgerSchema>) => Promise<T>): Promise<T>;
  /**
   * Runs a query built with Kysely and returns its rows as arrays, in the order of its select
   * list. For scans of a million rows: drivers build arrays several times faster than objects.
   */
  arrays(query: CompiledQuery): Promise<unknown[][]>;
  /**
   * The rows of `arrays`, to be read once, in order. SQLite hands them over one at a time as
   * they are read, so a million rows are never all in memory; PostgreSQL reads them all first.
   * Nothing else may use the store until the rows have been read.
   */
  scan(query: CompiledQuery): Promise<Iterable<unknown[]>>;
  close(): Promise<void>;
};

/** The advisory lock id of `exclusive` on PostgreSQL: any fixed number no one else uses. */
const EXCLUSIVE_LOCK = 0x6f76_6564;

export const DEFAULT_DATABASE = "./overdue.db";

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/**
 * Opens the store named by `url` (a file path or a postgres:// URL) and brings its schema up
 * to date, so a new file or an empty database needs no separate init step.
 */
export async function openDatabase(url: string): Promise<Database> {
  const database = isPostgresUrl(url) ? openPostgres(url) : openSqlite(url);
  try {
    await migrate(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

function openSqlite(path: string): Database {
  const file = path.replace(/^sqlite:/, "");
  let handle: BetterSqlite3.Database;
  try {
    handle = new BetterSqlite3(file);
  } catch (error) {
    throw new OverdueError(
      "database_unavailable",
      `cannot open ${file}: ${(error as Error).message}`,
    );
  }
  // Money columns hold int64; without safe integers values above 2^53 would silently round.
  handle.defaultSafeIntegers(true);
  handle.pragma("journal_mode = WAL");
  handle.pragma("synchronous = NORMAL");
  handle.pragma("foreign_keys = ON");
  handle.pragma("busy_timeout = 5000");
  // The page cache stays at SQLite's default (2 MB): a 64 MB cache saved under a tenth of a
  // million-row import once its indexes are rebuilt rather than updated, cost 100 MB of memory,
  // and made the aging scan slower (its GROUP BY sorter grows with the cache).
  const db = new Kysely<LedgerSchema>({
    dialect: new SqliteDialect({ database: withStatementCache(handle) }),
  });
  const exclusive = <T>(work: (db: Kysely<LedgerSchema>) => Promise<T>) =>
    db.connection().execute(async (connection) => {
      await sql`begin immediate`.execute(connection);
      try {
        const result = await work(connection);
        await sql`commit`.execute(connection);
        return result;
      } catch (error) {
        await sql`rollback`.execute(connection);
        throw error;
      }
    });
  const arrays = async (query: CompiledQuery) =>
    handle
      .prepare(query.sql)
      .raw()
      .all(...query.parameters) as unknown[][];
  const scan = async (query: CompiledQuery): Promise<Iterable<unknown[]>> => ({
    [Symbol.iterator]: () =>
      handle
        .prepare(query.sql)
        .raw()
        .iterate(...query.parameters) as IterableIterator<unknown[]>,
  });
  return {
    db,
    dialect: SQLITE,
    location: file,
    exclusive,
    arrays,
    scan,
    close: () => db.destroy(),
  };
}

/**
 * Kysely prepares every query anew; imports run the same few statements thousands of times,
 * and preparing them was a tenth of the import's time. Statements are reusable once run.
 */
function withStatementCache(handle: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => handle.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        statement = handle.prepare(sql);
        if (cache.size >= 100) cache.delete(cache.keys().next().value as string);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

// pg turns DATE into a local-midnight Date and int8 into a string: keep dates as text and
// make every int8 a bigint, as SQLite returns them. (SUM(bigint) is NUMERIC and stays a
// string; readers turn it into a bigint with toBigInt.)
const PG_DATE = 1082;
const PG_INT8 = 20;
const pgTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === PG_DATE) return (value: string) => value;
    if (oid === PG_INT8) return (value: string) => BigInt(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

function openPostgres(url: string): Database {
  // Enough connections for every dispatch slot and the planner; PostgreSQL allows 100.
  const pool = new pg.Pool({ connectionString: url, max: 10, types: pgTypes });
  const db = new Kysely<LedgerSchema>({ dialect: new PostgresDialect({ pool }) });
  const exclusive = <T>(work: (db: Kysely<LedgerSchema>) => Promise<T>) =>
    db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${EXCLUSIVE_LOCK})`.execute(trx);
      return work(trx);
    });
  const arrays = async (query: CompiledQuery) =>
    (await pool.query({ text: query.sql, values: [...query.parameters], rowMode: "array" }))
      .rows as unknown[][];
  return {
    db,
    dialect: POSTGRES,
    location: redactUrl(url),
    exclusive,
    arrays,
    scan: arrays,
    close: () => db.destroy(),
  };
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

async function migrate({ db, dialect, location }: Database): Promise<void> {
  const migrations: Record<string, Migration> = {
    "0001-ledger": ledgerMigration(dialect),
    "0002-policies": policiesMigration(),
    "0003-collections": collectionsMigration(dialect),
    "0004-bank": bankMigration(dialect),
    "0005-customer-risk": customerRiskMigration(),
    "0006-audit-chain": auditChainMigration(dialect),
    "0007-guard": guardMigration(dialect),
  };
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new OverdueError(
      "migration_failed",
      `cannot prepare the ledger in ${location}: ${reason}`,
    );
  }
}
