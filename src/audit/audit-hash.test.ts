import { describe, expect, it } from "vitest";
import { type ChainedEntry, canonicalEntry, chainHash, GENESIS_HASH } from "./audit-hash.js";
import { ChainWalk, type SealedEntry } from "./chain-walk.js";

const entry: ChainedEntry = {
  seq: 1n,
  id: 1n,
  at: "2026-03-05T09:00:00.000Z",
  customer_id: "C1",
  invoice_id: "I1",
  outbox_id: null,
  channel: null,
  status: "refused",
  rule: "dispute",
  reason: "I1 disputed by the customer (wrong quantity), recorded by anna: reminders pause",
  actor: "anna",
  dedupe_key: null,
};

describe("canonicalEntry and chainHash", () => {
  it("is a JSON array of strings and nulls in a fixed order, numbers in decimal", () => {
    expect(canonicalEntry({ ...entry, seq: 12n, id: 9007199254740993n, outbox_id: 7n })).toBe(
      '["12","9007199254740993","2026-03-05T09:00:00.000Z","C1","I1","7",null,"refused","dispute","I1 disputed by the customer (wrong quantity), recorded by anna: reminders pause","anna",null]',
    );
  });

  it("is SHA-256 hex of the previous hash, a newline and the entry", () => {
    const hash = chainHash(GENESIS_HASH, entry);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(GENESIS_HASH, entry)).toBe(hash);
    expect(GENESIS_HASH).toBe("0".repeat(64));
    expect(chainHash("f".repeat(64), entry)).not.toBe(hash);
  });

  it("changes with every field", () => {
    const hash = chainHash(GENESIS_HASH, entry);
    const changes: Partial<ChainedEntry>[] = [
      { seq: 2n },
      { id: 2n },
      { at: "2026-03-05T09:00:00.001Z" },
      { customer_id: "C2" },
      { invoice_id: "I2" },
      { outbox_id: 1n },
      { channel: "email" },
      { status: "sent" },
      { rule: "promise" },
      { reason: `${entry.reason}.` },
      { actor: "bob" },
      { dedupe_key: "2026-03-05/I1/dispute" },
    ];
    const hashes = changes.map((change) => chainHash(GENESIS_HASH, { ...entry, ...change }));
    expect(new Set([hash, ...hashes]).size).toBe(changes.length + 1);
  });

  it("tells null from an empty string, and values that would run into each other apart", () => {
    const hash = (change: Partial<ChainedEntry>) =>
      chainHash(GENESIS_HASH, { ...entry, ...change });
    expect(hash({ channel: null })).not.toBe(hash({ channel: "" }));
    expect(hash({ actor: null })).not.toBe(hash({ actor: "null" }));
    expect(hash({ rule: "a", reason: "b" })).not.toBe(hash({ rule: 'a","b', reason: "" }));
    expect(hash({ rule: "ab", reason: "" })).not.toBe(hash({ rule: "a", reason: "b" }));
  });
});

/** A chain of `count` entries sealed as sealAuditLog seals them. */
function chain(count: number, reason = (i: number) => `entry ${i}`): SealedEntry[] {
  const out: SealedEntry[] = [];
  let previous = GENESIS_HASH;
  for (let i = 1; i <= count; i++) {
    const content = { ...entry, seq: BigInt(i), id: BigInt(i + 100), reason: reason(i) };
    previous = chainHash(previous, content);
    out.push({ ...content, hash: previous });
  }
  return out;
}

function walk(entries: readonly SealedEntry[], sealed = entries.length, anchor?: SealedEntry) {
  const walker = new ChainWalk(anchor ? { seq: anchor.seq, hash: anchor.hash ?? "" } : undefined);
  for (const e of entries) if (!walker.add(e)) break;
  return walker.end(sealed);
}

describe("ChainWalk", () => {
  it("passes an intact chain, and an empty one", () => {
    expect(walk(chain(5))).toBeNull();
    expect(walk([])).toBeNull();
  });

  it("names a changed entry, in the middle or at the end", () => {
    const entries = chain(5);
    const middle = entries.map((e) => (e.seq === 3n ? { ...e, reason: "changed" } : e));
    expect(walk(middle)).toMatchObject({ kind: "changed", seq: "3", logId: "103" });
    const last = entries.map((e) => (e.seq === 5n ? { ...e, reason: "changed" } : e));
    expect(walk(last)).toMatchObject({ kind: "unlinked", seq: "5" });
  });

  it("names a missing seq, a repeated one, and a replaced hash", () => {
    const entries = chain(5);
    expect(
      walk(
        entries.filter((e) => e.seq !== 2n),
        4,
      ),
    ).toMatchObject({
      kind: "missing",
      seq: "2",
      logId: null,
    });
    expect(
      walk(
        entries.filter((e) => e.seq !== 1n),
        4,
      ),
    ).toMatchObject({
      kind: "missing",
      seq: "1",
    });
    const third = entries[2] as SealedEntry;
    expect(walk([...entries.slice(0, 3), third, ...entries.slice(3)])).toMatchObject({
      kind: "duplicate",
      seq: "3",
    });
    const replaced = entries.map((e) => (e.seq === 2n ? { ...e, hash: "ab".repeat(32) } : e));
    expect(walk(replaced)).toMatchObject({ kind: "unlinked", seq: "2" });
  });

  it("counts entries with a seq outside the chain", () => {
    expect(walk(chain(3), 4)).toMatchObject({ kind: "count", seq: null });
  });

  it("holds the chain to an anchor: the newest entries deleted, or the chain rewritten", () => {
    const entries = chain(5);
    const head = entries[4] as SealedEntry;
    expect(walk(entries, 5, head)).toBeNull();
    expect(walk(entries.slice(0, 3), 3, head)).toMatchObject({ kind: "anchor", seq: "4" });
    // Entry 3 changed and every hash from there on computed again: only the anchor tells.
    const rewritten = chain(5, (i) => (i === 3 ? "changed" : `entry ${i}`));
    expect(walk(rewritten)).toBeNull();
    expect(walk(rewritten, 5, head)).toMatchObject({ kind: "anchor", seq: "5" });
  });
});
