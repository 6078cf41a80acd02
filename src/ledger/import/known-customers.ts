import type { Transaction } from "kysely";
import type { LedgerSchema } from "../../db/schema.js";
import type { FieldProblem } from "./csv-records.js";

/**
 * Unknown ids an import looks up batch by batch before it reads every customer id at once: an
 * `id in (…)` lookup costs SQLite about 3 µs an id, a scan of the key under 0.2 µs, so a
 * large file pays for one scan instead of a lookup for each of its customers.
 */
const LOOKUPS_BEFORE_SCAN = 20_000;

/**
 * Which customer ids exist, remembered for one import so each id is looked up once.
 * Bounded by the customer table, not by the file being imported.
 */
export class KnownCustomers {
  /**
   * Ids seen to exist, as the strings the rows carry: a set finds the very string it holds
   * faster than an equal one (see invoiceCodec, which gives every row of a customer one string).
   */
  private readonly known = new Set<string>();
  private lookedUp = 0;
  /** Every customer id, once the import has read them all. */
  private all: Set<string> | undefined;

  /** Looks up the ids not seen yet; call once per batch before `problem`. */
  async load(trx: Transaction<LedgerSchema>, ids: Iterable<string>): Promise<void> {
    if (this.all) return; // `problem` answers from it
    const unknown = new Set<string>();
    for (const id of ids) if (!this.known.has(id)) unknown.add(id);
    if (unknown.size === 0) return;
    this.lookedUp += unknown.size;
    if (this.lookedUp > LOOKUPS_BEFORE_SCAN) {
      // The import writes invoices or payments, never customers: the set stays complete.
      const rows = await trx.selectFrom("customers").select("id").execute();
      this.all = new Set(rows.map((row) => row.id));
      return;
    }
    const found = await trx
      .selectFrom("customers")
      .select("id")
      .where("id", "in", [...unknown])
      .execute();
    const exist = new Set(found.map((row) => row.id));
    for (const id of unknown) if (exist.has(id)) this.known.add(id);
  }

  /** The row error for a customer id that does not exist, if it does not. */
  problem(id: string): FieldProblem | undefined {
    if (this.known.has(id)) return undefined;
    if (this.all?.has(id)) {
      this.known.add(id);
      return undefined;
    }
    return { field: "customer_id", problem: `no customer "${id}" (import customers first)` };
  }
}
