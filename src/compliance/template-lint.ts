import type { TemplateKind } from "../dunning/messages/message-library.js";
import {
  ALL_LANGUAGES,
  type AuthorizedAction,
  type LintSeverity,
  type PatternsByLanguage,
  type TemplateLintRules,
} from "./template-lint-rules.js";

export type LintProblem = {
  readonly file: string;
  /** 1-based, in the file as written. */
  readonly line: number;
  /** 1-based, in characters (code points). */
  readonly column: number;
  readonly rule: string;
  readonly severity: LintSeverity;
  readonly message: string;
};

export type LintTarget = {
  /** The template file's text, Eta tags and all. */
  readonly text: string;
  readonly file: string;
  /** The language folder ("sv"); undefined when unknown: then every language's phrases apply. */
  readonly language?: string | undefined;
  /** Undefined when unknown: then only prohibited phrases are checked, no required elements. */
  readonly kind?: TemplateKind | undefined;
  /** The template's name (`3`, `validation`), for rules that except some templates. */
  readonly name?: string | undefined;
};

/**
 * Checks one template: phrases a reminder must not use (threats, implied lawyers or
 * authorities, abuse, fees, literal amounts), except those the sender's configured actions
 * allow, and the elements its kind must show (who is collecting, the amount, how to pay, how to
 * dispute). Both the text around Eta tags and the string literals inside them are read, so
 * `<%= late ? "we will sue" : "" %>` is caught while variable names such as `it.total` never are.
 */
export function lintTemplate(
  target: LintTarget,
  rules: TemplateLintRules,
  authorized: ReadonlySet<AuthorizedAction>,
): readonly LintProblem[] {
  const { prose, code } = splitEta(target.text);
  const at = positions(target.text);
  const problems: LintProblem[] = [];

  for (const family of rules.families) {
    if (family.waivedBy && authorized.has(family.waivedBy)) continue;
    if (target.name && family.exceptTemplates.includes(target.name)) continue;
    const seen = new Set<number>();
    for (const pattern of patternsFor(family.patterns, target.language, rules.languages)) {
      for (const match of prose.matchAll(pattern)) {
        // An empty match (a pattern such as `\p{L}*`) names no phrase.
        if (match[0] === "" || seen.has(match.index)) continue;
        seen.add(match.index);
        const allowedBy = family.waivedBy
          ? `; allowed once the sender configures "${family.waivedBy}"`
          : "";
        problems.push({
          file: target.file,
          ...at(match.index),
          rule: family.id,
          severity: family.severity,
          message: `"${match[0].replace(/\s+/g, " ")}" ${family.message} (${family.citation})${allowedBy}`,
        });
      }
    }
  }

  if (target.kind) problems.push(...missingElements(target, target.kind, prose, code, rules));
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** The elements a template of `kind` must show and does not, each reported on line 1. */
function missingElements(
  target: LintTarget,
  kind: TemplateKind,
  prose: string,
  code: string,
  rules: TemplateLintRules,
): LintProblem[] {
  const missing: LintProblem[] = [];
  for (const element of rules.required) {
    const severity = element.kinds.get(kind);
    if (!severity || (target.name && element.exceptTemplates.includes(target.name))) continue;
    if (element.variables.some((name) => variableUse(name).test(code))) continue;
    const phrases = patternsFor(element.phrases, target.language, phraseLanguages(element.phrases));
    if (phrases.some((phrase) => prose.search(phrase) !== -1)) continue;
    // A language the rules have no phrases for cannot be checked: say so, without blocking it.
    const unchecked =
      element.variables.length === 0 &&
      target.language !== undefined &&
      !element.phrases.has(target.language) &&
      !element.phrases.has(ALL_LANGUAGES);
    missing.push({
      file: target.file,
      line: 1,
      column: 1,
      rule: element.id,
      severity: unchecked ? "warning" : severity,
      message: unchecked
        ? `${kind} template ${element.message}; ${rules.file} has no "${target.language}" phrases for ${element.id} to check it with (${element.citation})`
        : `${kind} template ${element.message} (${element.citation})`,
    });
  }
  return missing;
}

/** A language the rule set covers gets its own patterns and `all`; any other, every pattern. */
function patternsFor(
  patterns: PatternsByLanguage,
  language: string | undefined,
  covered: ReadonlySet<string>,
): readonly RegExp[] {
  if (language !== undefined && covered.has(language)) {
    return [patterns.get(ALL_LANGUAGES), patterns.get(language)].filter((p) => p !== undefined);
  }
  return [...patterns.values()];
}

const phraseLanguages = (phrases: PatternsByLanguage) =>
  new Set([...phrases.keys()].filter((language) => language !== ALL_LANGUAGES));

function variableUse(name: string): RegExp {
  return new RegExp(`(?<![\\w$.])${name.replaceAll(".", "\\.").replaceAll("$", "\\$")}(?![\\w$])`);
}

/** Line and column of an offset in `text`. */
function positions(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    const start = starts[low] ?? 0;
    return { line: low + 1, column: [...text.slice(start, offset)].length + 1 };
  };
}

/**
 * Two copies of an Eta template as long as the original, line breaks kept, so that a match's
 * offset is its place in the file: `prose` holds the literal text and the contents of string
 * literals in tags (what a customer may read), with the rest blanked; `code` holds the code in
 * tags (where variables are used), with the rest blanked.
 */
export function splitEta(text: string): { readonly prose: string; readonly code: string } {
  const prose: string[] = [];
  const code: string[] = [];
  const blank = (char: string) => (char === "\n" ? "\n" : " ");
  const put = (char: string, readable: boolean) => {
    prose.push(readable ? char : blank(char));
    code.push(readable ? blank(char) : char);
  };
  let i = 0;

  /** Code up to `%>` (a tag) or the `}` closing a `${` (template literal); returns the next index. */
  const scanCode = (inTag: boolean): void => {
    let depth = 0;
    while (i < text.length) {
      const char = text[i] ?? "";
      if (text.startsWith("%>", i)) {
        if (inTag) {
          put("%", false);
          put(">", false);
          i += 2;
        }
        return;
      }
      if (!inTag && char === "}" && depth === 0) {
        put(char, false);
        i++;
        return;
      }
      if (char === '"' || char === "'") scanQuoted(char);
      else if (char === "`") scanTemplateLiteral();
      else if (text.startsWith("//", i)) {
        while (i < text.length && text[i] !== "\n" && !text.startsWith("%>", i)) {
          put(text[i] ?? "", false);
          i++;
        }
      } else if (text.startsWith("/*", i)) {
        const end = text.indexOf("*/", i + 2);
        const stop = end === -1 ? text.length : end + 2;
        while (i < stop) {
          put(text[i] ?? "", false);
          i++;
        }
      } else {
        if (char === "{") depth++;
        if (char === "}") depth--;
        put(char, false);
        i++;
      }
    }
  };

  const scanQuoted = (quote: string): void => {
    put(quote, false);
    i++;
    while (i < text.length && text[i] !== quote && text[i] !== "\n") {
      if (text[i] === "\\") {
        put(text[i] ?? "", true);
        i++;
      }
      put(text[i] ?? "", true);
      i++;
    }
    if (text[i] === quote) {
      put(quote, false);
      i++;
    }
  };

  const scanTemplateLiteral = (): void => {
    put("`", false);
    i++;
    while (i < text.length && text[i] !== "`") {
      if (text.startsWith("${", i)) {
        put("$", false);
        put("{", false);
        i += 2;
        scanCode(false);
      } else {
        if (text[i] === "\\") {
          put(text[i] ?? "", true);
          i++;
        }
        put(text[i] ?? "", true);
        i++;
      }
    }
    if (text[i] === "`") {
      put("`", false);
      i++;
    }
  };

  while (i < text.length) {
    if (text.startsWith("<%", i)) {
      put("<", false);
      put("%", false);
      i += 2;
      scanCode(true);
    } else {
      put(text[i] ?? "", true);
      i++;
    }
  }
  return { prose: prose.join(""), code: code.join("") };
}
