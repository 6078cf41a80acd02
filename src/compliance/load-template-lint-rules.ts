import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { OverdueError } from "../kernel/errors.js";
import { rulesDir } from "./rules-dir.js";
import {
  type AuthorizedAction,
  parseAuthorizedActions,
  parseTemplateLintRules,
  type TemplateLintRules,
} from "./template-lint-rules.js";

export const TEMPLATE_LINT_FILE = "template-lint.json";

/** What the linter needs besides the template: the rules and what the sender has configured. */
export type TemplateLintSettings = {
  readonly rules: TemplateLintRules;
  readonly authorized: ReadonlySet<AuthorizedAction>;
};

/**
 * Rules already parsed, by file and text: compiling the Unicode patterns costs far more than
 * reading the file, and the library, the letter worker and the CLI each load them.
 */
const parsed = new Map<string, TemplateLintRules>();

/** Reads `template-lint.json` from `dir`; a missing, unreadable or invalid file names itself. */
export async function loadTemplateLintRules(dir: string = rulesDir()): Promise<TemplateLintRules> {
  const file = join(dir, TEMPLATE_LINT_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw new OverdueError(
      "bad_rules",
      missing ? `${file} is missing` : `cannot read ${file}: ${error}`,
    );
  }
  const key = `${file}\u0000${text}`;
  const known = parsed.get(key);
  if (known) return known;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OverdueError("bad_rules", `${file}: not JSON: ${(error as Error).message}`);
  }
  const rules = parseTemplateLintRules(json, file);
  parsed.set(key, rules);
  return rules;
}

/**
 * OVERDUE_RULES_DIR (default: the shipped `rules/`) and OVERDUE_AUTHORIZED_ACTIONS, a comma
 * list of legal-action, credit-reporting, garnishment, fees and attorney (default: none).
 */
export async function templateLintSettingsFromEnv(
  env: NodeJS.ProcessEnv,
): Promise<TemplateLintSettings> {
  const authorized = parseAuthorizedActions(
    env.OVERDUE_AUTHORIZED_ACTIONS,
    "OVERDUE_AUTHORIZED_ACTIONS",
  );
  return { rules: await loadTemplateLintRules(rulesDir(env)), authorized };
}
