import { OverdueError } from "../kernel/errors.js";
import {
  COLLECTOR_ROLES,
  type CollectorRole,
  profilesFileSchema,
  type RuleProfiles,
} from "./domain/profile.js";
import { readRuleFile } from "./rules-dir.js";

/**
 * The rule profiles (`rules/profiles.json`, or the copy in OVERDUE_RULES_DIR). Who collects
 * comes from the file, or OVERDUE_COLLECTOR_ROLE for a quick switch (an agency running
 * Overdue for its clients sets `third_party_agency`).
 */
export async function loadRuleProfiles(dir?: string): Promise<RuleProfiles> {
  const file = await readRuleFile("profiles.json", profilesFileSchema, dir);
  const role = process.env.OVERDUE_COLLECTOR_ROLE;
  if (role !== undefined && !(COLLECTOR_ROLES as readonly string[]).includes(role)) {
    throw new OverdueError(
      "bad_setting",
      `OVERDUE_COLLECTOR_ROLE must be one of ${COLLECTOR_ROLES.join(", ")}`,
    );
  }
  return {
    collectorRole: (role as CollectorRole | undefined) ?? file.collectorRole,
    profiles: file.profiles,
  };
}
