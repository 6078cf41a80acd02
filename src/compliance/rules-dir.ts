import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { z } from "zod";
import { OverdueError } from "../kernel/errors.js";

/** `rules/` at the package root: two levels up from both src/compliance and dist/compliance. */
const SHIPPED_RULES = fileURLToPath(new URL("../../rules/", import.meta.url));

/** Where the rule files are read from: OVERDUE_RULES_DIR, else the shipped `rules/`. */
export function rulesDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.OVERDUE_RULES_DIR?.trim() || SHIPPED_RULES;
}

/** A rule file's JSON; an unreadable file or broken JSON is one clear error naming the file. */
export async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, "utf8").catch(() => {
    throw new OverdueError("rules_unreadable", `cannot read ${file} (set OVERDUE_RULES_DIR?)`);
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new OverdueError("rules_broken", `${file}: not valid JSON: ${(error as Error).message}`);
  }
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
  const parsed = schema.safeParse(await readJson(file));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join(".") || "(top)";
    throw new OverdueError("rules_broken", `${file}: ${path}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}
