import type { Database } from "../db/database.js";
import { OverdueError } from "../kernel/errors.js";
import { DEFAULT_POLICY, type Policy, type PolicySet, parsePolicy } from "./domain/policy.js";

/**
 * Stores `policy` under its name. As the default it applies to every customer no segment
 * policy claims (the previous default stays stored); otherwise it applies to its segment.
 */
export async function storePolicy(
  database: Database,
  policy: Policy,
  options: { now: string; makeDefault: boolean },
): Promise<void> {
  if (!options.makeDefault && !policy.segment) {
    throw new OverdueError(
      "policy_without_segment",
      `policy "${policy.name}" has no segment, so it could only apply to everyone: use policy set to make it the default`,
    );
  }
  const definition = JSON.stringify(policy);
  const isDefault = options.makeDefault ? 1 : 0;
  await database.db.transaction().execute(async (trx) => {
    if (options.makeDefault) await trx.updateTable("policies").set({ is_default: 0 }).execute();
    await trx
      .insertInto("policies")
      .values({ name: policy.name, definition, is_default: isDefault, updated_at: options.now })
      .onConflict((oc) =>
        oc
          .column("name")
          .doUpdateSet({ definition, is_default: isDefault, updated_at: options.now }),
      )
      .execute();
  });
}

/** The policies runs choose from: the default (the shipped playbook until one is set) and every segment policy. */
export async function runPolicies(database: Database): Promise<PolicySet> {
  const rows = await database.db
    .selectFrom("policies")
    .select(["name", "definition", "is_default"])
    .orderBy("name")
    .execute();
  const read = (row: (typeof rows)[number]) => {
    const parsed = parsePolicy(JSON.parse(row.definition));
    if (!parsed.ok) {
      throw new OverdueError(
        "stored_policy_invalid",
        `stored policy "${row.name}" no longer validates`,
      );
    }
    return parsed.policy;
  };
  const fallbackRow = rows.find((r) => Number(r.is_default) === 1);
  return {
    fallback: fallbackRow ? read(fallbackRow) : DEFAULT_POLICY,
    segmented: rows
      .filter((r) => Number(r.is_default) !== 1)
      .map(read)
      .filter((p) => p.segment),
  };
}
