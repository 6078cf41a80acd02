import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * Every store test runs on both stores. A "store" here is a fresh, empty ledger URL:
 * a new SQLite file, or a new PostgreSQL database on the local server.
 */
export type StoreKind = "sqlite" | "postgres";
export const STORE_KINDS: readonly StoreKind[] = ["sqlite", "postgres"];

/** The server every machine of ours runs; override with OVERDUE_TEST_POSTGRES. */
export const POSTGRES_ADMIN_URL =
  process.env.OVERDUE_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

export type FreshStore = { readonly url: string; readonly dir: string; drop(): Promise<void> };

/** A fresh empty ledger location of the given kind, plus a scratch folder for files. */
export async function freshStore(kind: StoreKind): Promise<FreshStore> {
  const dir = mkdtempSync(join(tmpdir(), "overdue-test-"));
  if (kind === "sqlite") {
    return {
      url: join(dir, "ledger.db"),
      dir,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `overdue_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dir,
    drop: async () => {
      rmSync(dir, { recursive: true, force: true });
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
