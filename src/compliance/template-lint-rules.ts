import { z } from "zod";
import { TEMPLATE_KINDS, type TemplateKind } from "../dunning/messages/message-library.js";
import { OverdueError } from "../kernel/errors.js";

/**
 * What a sender may configure itself to do, each of which allows the wording that announces it:
 * 15 U.S.C. 1692e(5) forbids threatening only an action that is not intended or not lawful.
 */
export const AUTHORIZED_ACTIONS = [
  "legal-action",
  "credit-reporting",
  "garnishment",
  "fees",
  "attorney",
] as const;
export type AuthorizedAction = (typeof AUTHORIZED_ACTIONS)[number];

export const LINT_SEVERITIES = ["error", "warning"] as const;
export type LintSeverity = (typeof LINT_SEVERITIES)[number];

/** A language's patterns as one expression, by language subtag; `all` applies to every language. */
export type PatternsByLanguage = ReadonlyMap<string, RegExp>;

/** Phrases a reminder must not use, such as threats of arrest. */
export type PhraseFamily = {
  readonly id: string;
  readonly citation: string;
  readonly message: string;
  readonly severity: LintSeverity;
  /** The configured action that allows these phrases; null: never allowed. */
  readonly waivedBy: AuthorizedAction | null;
  readonly patterns: PatternsByLanguage;
  readonly exceptTemplates: readonly string[];
};

/** Something a template of some kinds must show: a variable it prints, or a phrase. */
export type RequiredElement = {
  readonly id: string;
  readonly citation: string;
  readonly message: string;
  readonly kinds: ReadonlyMap<TemplateKind, LintSeverity>;
  /** Present when the template's code uses any of these (`it.sender.name`)… */
  readonly variables: readonly string[];
  /** …or its text matches any of these. */
  readonly phrases: PatternsByLanguage;
  readonly exceptTemplates: readonly string[];
};

export type TemplateLintRules = {
  /** The file the rules came from, for messages. */
  readonly file: string;
  readonly families: readonly PhraseFamily[];
  readonly required: readonly RequiredElement[];
  /** Languages some family has patterns for; a template in any other language meets them all. */
  readonly languages: ReadonlySet<string>;
};

export const ALL_LANGUAGES = "all";
const LANGUAGE_KEY = /^(?:all|[a-z]{2,3})$/;
const RULE_ID = /^[a-z][a-z0-9-]*$/;
const VARIABLE = /^it(?:\.[A-Za-z_$][\w$]*)+$/;

const BEFORE = "(?<![\\p{L}\\p{M}\\p{N}])";
const AFTER = "(?![\\p{L}\\p{M}\\p{N}])";

/**
 * Patterns as written in the rules file, made into the one regular expression the linter runs:
 * case-insensitive, Unicode, each a whole word (no letter, mark or digit may touch either end),
 * and a space matching any run of whitespace, so a phrase broken over two lines is still found.
 * One expression per list: V8 spends far longer compiling Unicode classes than matching them.
 */
export function compilePatterns(sources: readonly string[]): RegExp {
  const alternatives = sources.map((source) => `(?:${flexibleSpaces(source)})`).join("|");
  return new RegExp(`${BEFORE}(?:${alternatives})${AFTER}`, "giu");
}

/** Spaces outside character classes become `\s+`; one followed by a quantifier, `(?:\s+)`. */
function flexibleSpaces(source: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i] ?? "";
    if (char === "\\") {
      out += char + (source[i + 1] ?? "");
      i++;
    } else if (inClass) {
      if (char === "]") inClass = false;
      out += char;
    } else if (char === "[") {
      inClass = true;
      out += char;
    } else if (char === " ") {
      while (source[i + 1] === " ") i++;
      out += /^[?*+{]/.test(source.slice(i + 1)) ? "(?:\\s+)" : "\\s+";
    } else {
      out += char;
    }
  }
  return out;
}

/** A list of patterns, compiled; an invalid one is reported at its own index. */
const patterns = z
  .array(z.string().min(1))
  .min(1)
  .transform((sources, ctx) => {
    try {
      return compilePatterns(sources);
    } catch {
      sources.forEach((source, index) => {
        try {
          compilePatterns([source]);
        } catch (error) {
          ctx.addIssue({
            code: "custom",
            path: [index],
            message: `not a valid regular expression: ${(error as Error).message}`,
          });
        }
      });
      return z.NEVER;
    }
  });

const patternsByLanguage = z
  .record(
    z.string().regex(LANGUAGE_KEY, 'a language is "all" or a primary language subtag such as "sv"'),
    patterns,
  )
  .transform((byLanguage): PatternsByLanguage => new Map(Object.entries(byLanguage)));

const severity = z.enum(LINT_SEVERITIES);
const common = {
  id: z.string().regex(RULE_ID, "an id is lower-case letters, digits and hyphens"),
  citation: z.string().min(1),
  message: z.string().min(1),
  comment: z.string().optional(),
  /** Templates the rule does not apply to, by name (`opt-out-confirmation`). */
  exceptTemplates: z.array(z.string().min(1)).default([]),
};

const familySchema = z.strictObject({
  ...common,
  severity: severity.default("error"),
  waivedBy: z.enum(AUTHORIZED_ACTIONS).nullable().default(null),
  patterns: patternsByLanguage,
});

const requiredSchema = z
  .strictObject({
    ...common,
    kinds: z.partialRecord(z.enum(TEMPLATE_KINDS), severity),
    variables: z.array(z.string().regex(VARIABLE, "a variable is written it.name")).default([]),
    phrases: patternsByLanguage.default(new Map()),
  })
  .refine((element) => element.variables.length > 0 || element.phrases.size > 0, {
    message: "give the variables or the phrases that show the element",
    path: ["variables"],
  });

const rulesSchema = z
  .strictObject({
    $comment: z.union([z.string(), z.array(z.string())]).optional(),
    families: z.array(familySchema).min(1),
    required: z.array(requiredSchema).default([]),
  })
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    for (const [list, entries] of [
      ["families", rules.families],
      ["required", rules.required],
    ] as const) {
      entries.forEach((entry, index) => {
        if (seen.has(entry.id)) {
          ctx.addIssue({
            code: "custom",
            path: [list, index, "id"],
            message: `"${entry.id}" is used twice`,
          });
        }
        seen.add(entry.id);
      });
    }
  });

/**
 * Reads the rules from parsed JSON. A problem throws an OverdueError naming the file and the
 * field, e.g. `rules/template-lint.json: families.2.patterns.sv.0 ("legal-action"): …`.
 */
export function parseTemplateLintRules(json: unknown, file: string): TemplateLintRules {
  const parsed = rulesSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join(".") || "(top level)";
      const [list, index] = issue.path;
      const id = ruleIdAt(json, list, index);
      const nested = "issues" in issue ? issue.issues[0]?.message : undefined;
      return `${path}${id ? ` ("${id}")` : ""}: ${nested ? `${issue.message}: ${nested}` : issue.message}`;
    });
    throw new OverdueError("bad_rules", `${file}: ${problems.join("; ")}`);
  }
  const families = parsed.data.families.map(({ comment: _, ...family }): PhraseFamily => family);
  const required = parsed.data.required.map(
    ({ comment: _, kinds, ...element }): RequiredElement => ({
      ...element,
      kinds: new Map(Object.entries(kinds) as [TemplateKind, LintSeverity][]),
    }),
  );
  const languages = new Set(
    families.flatMap((family) => [...family.patterns.keys()]).filter((l) => l !== ALL_LANGUAGES),
  );
  return { file, families, required, languages };
}

/** The id of `families[index]` in the raw JSON, to say which family a problem is in. */
function ruleIdAt(json: unknown, list: PropertyKey | undefined, index: PropertyKey | undefined) {
  if (typeof list !== "string" || typeof index !== "number") return undefined;
  const entries = (json as Record<string, unknown> | null)?.[list];
  const entry = Array.isArray(entries) ? (entries[index] as { id?: unknown } | undefined) : null;
  return typeof entry?.id === "string" ? entry.id : undefined;
}

/** A comma-separated list of configured actions, such as "legal-action, fees"; "" is none. */
export function parseAuthorizedActions(
  text: string | undefined,
  setting: string,
): ReadonlySet<AuthorizedAction> {
  const names = (text ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  for (const name of names) {
    if (!(AUTHORIZED_ACTIONS as readonly string[]).includes(name)) {
      throw new OverdueError(
        "bad_setting",
        `${setting}: "${name}" is not an action; choose among ${AUTHORIZED_ACTIONS.join(", ")}`,
      );
    }
  }
  return new Set(names as AuthorizedAction[]);
}
