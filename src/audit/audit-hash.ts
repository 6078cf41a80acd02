import { createHash } from "node:crypto";

/** The hash the first entry's chain starts from: there is nothing before it. */
export const GENESIS_HASH = "0".repeat(64);

/** An entry of the contact log as the chain covers it: every column it was written with, and its seq. */
export type ChainedEntry = {
  readonly seq: bigint;
  readonly id: bigint;
  readonly at: string;
  readonly customer_id: string;
  readonly invoice_id: string | null;
  readonly outbox_id: bigint | null;
  readonly channel: string | null;
  readonly status: string;
  readonly rule: string;
  readonly reason: string;
  readonly actor: string | null;
  readonly dedupe_key: string | null;
};

/** The columns `canonicalEntry` reads, in its order, for queries that fetch them. */
export const CHAINED_COLUMNS = [
  "seq",
  "id",
  "at",
  "customer_id",
  "invoice_id",
  "outbox_id",
  "channel",
  "status",
  "rule",
  "reason",
  "actor",
  "dedupe_key",
] as const;

const decimal = (value: bigint | null) => (value === null ? null : value.toString());

/**
 * The entry as one line of text that two different entries never share: a JSON array of
 * strings and nulls in a fixed order (numbers as decimal strings, so both stores, which return
 * them differently, give the same text). JSON quotes every string and escapes its quotes and
 * control characters, so no value can run into the next, and null is not "".
 */
export function canonicalEntry(entry: ChainedEntry): string {
  return JSON.stringify([
    decimal(entry.seq),
    decimal(entry.id),
    entry.at,
    entry.customer_id,
    entry.invoice_id,
    decimal(entry.outbox_id),
    entry.channel,
    entry.status,
    entry.rule,
    entry.reason,
    entry.actor,
    entry.dedupe_key,
  ]);
}

/** The entry's link in the chain: SHA-256 (hex) of the previous entry's hash, a newline and the entry. */
export function chainHash(previous: string, entry: ChainedEntry): string {
  return createHash("sha256")
    .update(`${previous}\n${canonicalEntry(entry)}`, "utf8")
    .digest("hex");
}
