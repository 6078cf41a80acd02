import { type ChainedEntry, chainHash, GENESIS_HASH } from "./audit-hash.js";

/** A sealed entry as stored: its content and the hash it was sealed with. */
export type SealedEntry = ChainedEntry & { readonly hash: string | null };

/** A head printed earlier (`audit verify`): that entry must still be there, unchanged. */
export type ChainAnchor = { readonly seq: bigint; readonly hash: string };

/**
 * Where the chain first breaks:
 * - `changed`: the entry's content no longer gives its hash (the entry after it still follows
 *   from that hash, so the hash is the one sealed and the content is not);
 * - `unlinked`: the entry's hash does not follow from the entry before it (replaced, or an
 *   entry written or re-hashed outside overdue);
 * - `missing`: no entry has this seq (deleted);
 * - `duplicate`: a second entry with a seq already walked;
 * - `count`: more entries carry a seq than the chain holds;
 * - `anchor`: the anchored entry is gone or differs (the chain was rewritten after it).
 */
export type BrokenLink = {
  readonly kind: "changed" | "unlinked" | "missing" | "duplicate" | "count" | "anchor";
  readonly seq: string | null;
  readonly logId: string | null;
  readonly problem: string;
};

/**
 * Checks sealed entries fed in seq order, one at a time, so a million entries need no more
 * memory than one. A mismatching entry is held until the next one shows whether the chain
 * went on from its stored hash (its content was changed) or not.
 */
export class ChainWalk {
  private next = 1n;
  private previous = GENESIS_HASH;
  private suspect: SealedEntry | undefined;
  private broken: BrokenLink | undefined;
  /** Entries that checked out. */
  walked = 0;

  constructor(private readonly anchor?: ChainAnchor) {}

  /** Takes the next entry; false once the chain is broken (nothing after matters). */
  add(entry: SealedEntry): boolean {
    if (this.broken) return false;
    const suspect = this.suspect;
    if (suspect) {
      const continues =
        suspect.hash !== null &&
        entry.seq === suspect.seq + 1n &&
        entry.hash === chainHash(suspect.hash, entry);
      this.broken = continues ? changed(suspect) : unlinked(suspect);
      return false;
    }
    if (entry.seq > this.next) {
      this.broken = missing(this.next);
      return false;
    }
    if (entry.seq < this.next) {
      this.broken = {
        kind: "duplicate",
        seq: String(entry.seq),
        logId: String(entry.id),
        problem: `entry seq ${entry.seq} (log id ${entry.id}) repeats a seq of the chain: written outside overdue`,
      };
      return false;
    }
    if (entry.hash !== chainHash(this.previous, entry)) {
      this.suspect = entry;
      return true;
    }
    if (this.anchor && entry.seq === this.anchor.seq && entry.hash !== this.anchor.hash) {
      this.broken = {
        kind: "anchor",
        seq: String(entry.seq),
        logId: String(entry.id),
        problem: `entry seq ${entry.seq} (log id ${entry.id}) is not the one anchored (${this.anchor.hash.slice(0, 12)}…): the chain was rewritten from there on`,
      };
      return false;
    }
    this.previous = entry.hash;
    this.next += 1n;
    this.walked += 1;
    return true;
  }

  /** The first broken link, once every entry has been fed; `sealed` is how many carry a seq. */
  end(sealed: number): BrokenLink | null {
    if (this.broken) return this.broken;
    const suspect = this.suspect;
    if (suspect) {
      return {
        ...unlinked(suspect),
        problem: `entry seq ${suspect.seq} (log id ${suspect.id}) does not match its hash: changed, or written outside overdue`,
      };
    }
    if (this.anchor && this.anchor.seq >= this.next) {
      return {
        ...missing(this.next),
        kind: "anchor",
        problem: `entry seq ${this.next} is missing: deleted (the anchor names seq ${this.anchor.seq}, the chain ends at ${this.next - 1n})`,
      };
    }
    if (sealed !== this.walked) {
      return {
        kind: "count",
        seq: null,
        logId: null,
        problem: `${sealed} entries carry a seq but the chain holds ${this.walked}: entries were written outside overdue`,
      };
    }
    return null;
  }
}

function changed(entry: SealedEntry): BrokenLink {
  return {
    kind: "changed",
    seq: String(entry.seq),
    logId: String(entry.id),
    problem: `entry seq ${entry.seq} (log id ${entry.id}) was changed: its content no longer matches its hash`,
  };
}

function unlinked(entry: SealedEntry): BrokenLink {
  return {
    kind: "unlinked",
    seq: String(entry.seq),
    logId: String(entry.id),
    problem: `entry seq ${entry.seq} (log id ${entry.id}) does not continue the chain: its hash was replaced, or the entry written outside overdue`,
  };
}

function missing(seq: bigint): BrokenLink {
  return {
    kind: "missing",
    seq: String(seq),
    logId: null,
    problem: `entry seq ${seq} is missing: deleted`,
  };
}
