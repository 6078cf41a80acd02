import type { Dirent } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Eta } from "eta";
import {
  type TemplateLintSettings,
  templateLintSettingsFromEnv,
} from "../../compliance/load-template-lint-rules.js";
import { lintTemplate } from "../../compliance/template-lint.js";
import { OverdueError } from "../../kernel/errors.js";
import type { Tone } from "../domain/policy.js";
import { composeTrialMessage, messageText } from "./compose-message.js";
import type { MessageInput } from "./message.js";
import {
  DATE_STYLES,
  type DateStyle,
  FALLBACK_LANGUAGE,
  LABEL_KEYS,
  LANGUAGE_FOLDER,
  type LabelKey,
  type Labels,
  type MessageLibrary,
  type MessageTemplate,
  SHIPPED_TEMPLATE_NAMES,
  TEMPLATE_KINDS,
  type TemplateKind,
  templateFile,
} from "./message-library.js";
import { sampleMessageInput } from "./sample-message.js";

/** `templates/` at the package root: three levels up from both src/ and dist/dunning/messages. */
export const SHIPPED_TEMPLATE_DIR = fileURLToPath(new URL("../../../templates/", import.meta.url));

const TEMPLATE_FILE = new RegExp(
  `^([A-Za-z0-9_][A-Za-z0-9_.-]*)-(${TEMPLATE_KINDS.join("|")})\\.eta$`,
);
const SUBJECT_LINE = /^Subject:(.*)$/;

/**
 * Reads every language folder of `dir` (default: the shipped `templates/`), compiles each
 * template and renders it once with sample data, so that a missing or broken file fails here,
 * naming the file, instead of during a run. Each template is also linted (rules and configured
 * actions from `lint`, default OVERDUE_RULES_DIR and OVERDUE_AUTHORIZED_ACTIONS): the library
 * still loads, but composing a message from a template with lint errors is refused.
 */
export async function loadMessageLibrary(
  dir: string = SHIPPED_TEMPLATE_DIR,
  lint?: TemplateLintSettings,
): Promise<MessageLibrary> {
  const { rules, authorized } = lint ?? (await templateLintSettingsFromEnv(process.env));
  const folders = await listDir(dir);
  const languages = folders.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  for (const language of languages) {
    if (!LANGUAGE_FOLDER.test(language)) {
      throw new OverdueError(
        "template_broken",
        `${join(dir, language)}: a language folder is named by the primary language subtag, ` +
          `such as "sv" or "it"`,
      );
    }
  }
  if (!languages.includes(FALLBACK_LANGUAGE)) {
    throw new OverdueError(
      "template_missing",
      `${join(dir, FALLBACK_LANGUAGE)} is missing: English is the fallback for every language`,
    );
  }

  const engine = new Eta({
    autoEscape: false,
    autoTrim: false,
    debug: true,
    cache: false,
    plugins: [{ processTemplate: trimControlLines }],
  });
  const labels = new Map<string, Labels>();
  const templates = new Map<string, MessageTemplate>();
  const found: TemplateName[] = [];
  await Promise.all(
    languages.map(async (language) => {
      const folder = join(dir, language);
      const labelsFile = join(folder, "labels.txt");
      labels.set(language, parseLabels(await readText(labelsFile), labelsFile));
      for (const entry of await listDir(folder)) {
        if (!entry.isFile() || !entry.name.endsWith(".eta")) continue;
        const file = join(folder, entry.name);
        const match = TEMPLATE_FILE.exec(entry.name);
        if (!match) {
          throw new OverdueError(
            "template_broken",
            `${file}: a template file is named <name>-<kind>.eta, the kind being one of ` +
              TEMPLATE_KINDS.join(", "),
          );
        }
        const [, name = "", kind = ""] = match;
        const source = await readText(file);
        const compiled = compileTemplate(engine, source, file, kind as TemplateKind);
        const problems = lintTemplate(
          { text: source, file, language, kind: kind as TemplateKind, name },
          rules,
          authorized,
        );
        templates.set(`${language}/${name}-${kind}`, { ...compiled, lint: problems });
        found.push({ language, name, kind: kind as TemplateKind });
      }
      for (const name of SHIPPED_TEMPLATE_NAMES) {
        for (const kind of TEMPLATE_KINDS) {
          if (!templates.has(`${language}/${name}-${kind}`)) {
            throw new OverdueError(
              "template_missing",
              `${templateFile(dir, language, name, kind)} is missing: every language needs ` +
                `1-…4-${kind}.eta`,
            );
          }
        }
      }
    }),
  );

  const library: MessageLibrary = { dir, languages: languages.sort(), labels, templates };
  for (const template of found) tryTemplate(library, template);
  return library;
}

async function listDir(dir: string): Promise<Dirent[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
  } catch (error) {
    throw new OverdueError("template_missing", `cannot read the template folder ${dir}: ${error}`);
  }
}

async function readText(file: string): Promise<string> {
  try {
    return (await readFile(file, "utf8")).replace(/\r\n?/g, "\n");
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw new OverdueError(
      "template_missing",
      missing ? `${file} is missing` : `cannot read ${file}: ${error}`,
    );
  }
}

function compileTemplate(
  engine: Eta,
  source: string,
  file: string,
  kind: TemplateKind,
): Omit<MessageTemplate, "lint"> {
  const hasSubject = kind === "email" || kind === "letter";
  const newline = source.indexOf("\n");
  const firstLine = newline === -1 ? source : source.slice(0, newline);
  const subjectLine = SUBJECT_LINE.exec(firstLine);
  if (hasSubject && !subjectLine) {
    throw new OverdueError(
      "template_broken",
      `${file}:1: ${kind} templates start with a "Subject: …" line, then the body`,
    );
  }
  const compile = (text: string) => {
    try {
      const render = engine.compile(text, { filepath: file });
      return (context: object) => {
        try {
          return render.call(engine, context, { filepath: file });
        } catch (error) {
          throw brokenTemplate(file, error);
        }
      };
    } catch (error) {
      throw brokenTemplate(file, error);
    }
  };
  return {
    file,
    ...(subjectLine ? { subject: compile(subjectLine[1] ?? "") } : {}),
    // The subject line is blanked, not cut, so error line numbers match the file.
    body: compile(subjectLine ? source.slice(firstLine.length) : source),
  };
}

function brokenTemplate(file: string, error: unknown): OverdueError {
  if (error instanceof OverdueError) return error;
  // Eta's syntax errors end with the generated function; the user needs only the first part.
  const message = (error instanceof Error ? error.message : String(error)).split("\n====")[0];
  return new OverdueError(
    "template_broken",
    message?.includes(file) ? message.trim() : `${file}: ${message?.trim()}`,
  );
}

/**
 * A line holding nothing but a control tag (`<% if (…) { %>`, `<% } %>`) disappears with its
 * line break, as in other text template engines: the tag gets Eta's `-%>` (drop the next line
 * break). Eta's own autoTrim would also eat the line break after every `<%= value %>`, which
 * plain-text messages need. No line is removed, so error line numbers still match the file.
 */
function trimControlLines(template: string): string {
  return template.replace(/^[ \t]*(<%(?![=~])(?:(?!%>).)*?)-?%>[ \t]*$/gm, "$1-%>");
}

function parseLabels(text: string, file: string): Labels {
  const values = new Map<string, string>();
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const match = /^([A-Za-z]+)\s*:\s*(.*)$/.exec(line);
    const key = match?.[1] ?? "";
    if (!match || !(LABEL_KEYS as readonly string[]).includes(key)) {
      throw new OverdueError(
        "template_broken",
        `${file}:${index + 1}: expected "<label>: <text>" with a label among ${LABEL_KEYS.join(", ")}`,
      );
    }
    values.set(key, match[2] ?? "");
  });
  const missing = LABEL_KEYS.filter((key) => !values.get(key));
  if (missing.length > 0) {
    throw new OverdueError("template_broken", `${file}: missing labels: ${missing.join(", ")}`);
  }
  const dateStyle = values.get("dateStyle") as DateStyle;
  if (!DATE_STYLES.includes(dateStyle)) {
    throw new OverdueError(
      "template_broken",
      `${file}: dateStyle must be one of ${DATE_STYLES.join(", ")}, not "${dateStyle}"`,
    );
  }
  return Object.fromEntries(values) as Record<LabelKey, string> as Labels;
}

type TemplateName = {
  readonly language: string;
  readonly name: string;
  readonly kind: TemplateKind;
};

/**
 * The sample contact (several invoices and currencies, everything filled in), and a bare one:
 * a single courtesy note before the due date, no reference, no contact details.
 */
const TRIAL_INPUTS: readonly MessageInput[] = [
  sampleMessageInput,
  {
    ...sampleMessageInput,
    sender: { name: sampleMessageInput.sender.name, addressLines: [] },
    recipient: { name: sampleMessageInput.recipient.name, addressLines: [] },
    invoices: sampleMessageInput.invoices.filter((invoice) => invoice.daysOverdue < 0),
    reference: undefined,
    documentId: undefined,
  },
];

/** Renders a template with the trial inputs; a leaked `undefined` is most often a misspelt variable. */
function tryTemplate(library: MessageLibrary, { language, name, kind }: TemplateName): void {
  const tone: Tone = (SHIPPED_TEMPLATE_NAMES as readonly string[]).includes(name)
    ? (Number(name) as Tone)
    : 2;
  for (const input of TRIAL_INPUTS) {
    const message = composeTrialMessage(
      library,
      { ...input, language, tone, template: name },
      kind,
    );
    const text = `${message.subject}\n${messageText(message)}`;
    const leak = /\bundefined\b|\bNaN\b|\[object \w+\]/.exec(text);
    if (leak) {
      throw new OverdueError(
        "template_broken",
        `${message.file}: prints "${leak[0]}" with sample data; is a variable name misspelt?`,
      );
    }
  }
}
