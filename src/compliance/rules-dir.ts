import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { z } from "zod";
import { OverdueError } from "../kernel/errors.js";

/** `rules/` at the package root: two levels up from both src/compliance and dist/compliance. */
const SHIPPED_RULES = fileURLToPath(new URL("../../rules/", import.meta.url));

/** Where the rule files are read from: OVERDUE_RULES_DIR, else the shipped `rules/`. */
export function rulesDir(): string {
  return process.env.OVERDUE_RULES_DIR ?? SHIPPED_RULES;
}

/**
 * Reads one JSON rule file from the rules folder and checks it against its schema; a user's
 * edit that breaks it is reported with the file and the field, never half-applied.
 */
export async function readRuleFile<T extends z.ZodType>(
  name: string,
  schema: T,
  dir: string = rulesDir(),
): Promise<z.infer<T>> {
  const file = join(dir, name);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new OverdueError("rules_missing", `cannot read ${file}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new OverdueError("rules_broken", `${file}: not JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join(".") || "(top)";
    throw new OverdueError("rules_broken", `${file}: ${path}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}
