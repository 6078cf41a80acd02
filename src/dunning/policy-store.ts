import type { Database } from "../db/database.js";
import { OverdueError } from "../kernel/errors.js";
import { DEFAULT_POLICY, type Policy, parsePolicy } from "./domain/policy.js";

/** Stores `policy` and makes it the default for every run; the previous default stays stored. */
export async function setDefaultPolicy(
  database: Database,
  policy: Policy,
  now: string,
): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    await trx.updateTable("policies").set({ is_default: 0 }).execute();
    await trx
      .insertInto("policies")
      .values({
        name: policy.name,
        definition: JSON.stringify(policy),
        is_default: 1,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .column("name")
          .doUpdateSet({ definition: JSON.stringify(policy), is_default: 1, updated_at: now }),
      )
      .execute();
  });
}

/** The policy runs use: the one set with `policy set`, or the shipped playbook. */
export async function defaultPolicy(database: Database): Promise<Policy> {
  const rows = await database.db
    .selectFrom("policies")
    .select(["name", "definition", "is_default"])
    .execute();
  const row = rows.find((r) => Number(r.is_default) === 1);
  if (!row) return DEFAULT_POLICY;
  const parsed = parsePolicy(JSON.parse(row.definition));
  if (!parsed.ok) {
    throw new OverdueError(
      "stored_policy_invalid",
      `stored policy "${row.name}" no longer validates`,
    );
  }
  return parsed.policy;
}
