import type { Transaction } from "kysely";
import type { LedgerSchema } from "../../db/schema.js";
import type { FieldProblem } from "./csv-records.js";

/**
 * Which customer ids exist, remembered for one import so each id is looked up once.
 * Bounded by the customer table, not by the file being imported.
 */
export class KnownCustomers {
  private readonly known = new Set<string>();

  /** Looks up the ids not seen yet; call once per batch before `problem`. */
  async load(trx: Transaction<LedgerSchema>, ids: Iterable<string>): Promise<void> {
    const unknown = [...new Set(ids)].filter((id) => !this.known.has(id));
    if (unknown.length === 0) return;
    const found = await trx
      .selectFrom("customers")
      .select("id")
      .where("id", "in", unknown)
      .execute();
    for (const { id } of found) this.known.add(id);
  }

  /** The row error for a customer id that does not exist, if it does not. */
  problem(id: string): FieldProblem | undefined {
    return this.known.has(id)
      ? undefined
      : { field: "customer_id", problem: `no customer "${id}" (import customers first)` };
  }
}
