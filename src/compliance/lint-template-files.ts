import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import {
  LANGUAGE_FOLDER,
  TEMPLATE_KINDS,
  type TemplateKind,
} from "../dunning/messages/message-library.js";
import { OverdueError } from "../kernel/errors.js";
import type { TemplateLintSettings } from "./load-template-lint-rules.js";
import { type LintProblem, lintTemplate } from "./template-lint.js";

export type TemplateFile = {
  readonly path: string;
  /** The `xx` folder it is in; undefined when the folder is not named by a language. */
  readonly language: string | undefined;
  /** From `NAME-KIND.eta`; undefined for any other name. */
  readonly kind: TemplateKind | undefined;
  readonly name: string | undefined;
};

export type TemplateLintReport = {
  readonly files: number;
  readonly errors: number;
  readonly warnings: number;
  readonly problems: readonly LintProblem[];
};

/** Tells a language subtag ("sv") from other short folder names ("tmp"). */
const languageNames = new Intl.DisplayNames(["en"], { type: "language", fallback: "none" });
const KIND = new RegExp(`^(.+)-(${TEMPLATE_KINDS.join("|")})\\.eta$`);

/** What a template's path says about it, the way the message library reads its folders. */
export function describeTemplateFile(path: string): TemplateFile {
  const folder = basename(dirname(path));
  const named = KIND.exec(basename(path));
  return {
    path,
    language: LANGUAGE_FOLDER.test(folder) && languageNames.of(folder) ? folder : undefined,
    kind: named?.[2] as TemplateKind | undefined,
    name: named?.[1],
  };
}

/** The files named, and every `*.eta` below the folders named, in a stable order. */
export async function findTemplateFiles(
  paths: readonly string[],
): Promise<readonly TemplateFile[]> {
  const found: TemplateFile[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => {
      throw new OverdueError("unreadable_file", `cannot read ${path}`);
    });
    if (info.isDirectory()) {
      for (const file of await etaFilesBelow(path)) found.push(describeTemplateFile(file));
    } else {
      found.push(describeTemplateFile(path));
    }
  }
  return found;
}

async function etaFilesBelow(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await etaFilesBelow(path)));
    else if (entry.isFile() && entry.name.endsWith(".eta")) files.push(path);
  }
  return files;
}

/** Lints every template file at or below `paths`. */
export async function lintTemplateFiles(
  paths: readonly string[],
  { rules, authorized }: TemplateLintSettings,
): Promise<TemplateLintReport> {
  const files = await findTemplateFiles(paths);
  const problems: LintProblem[] = [];
  for (const file of files) {
    const text = await readFile(file.path, "utf8").catch(() => {
      throw new OverdueError("unreadable_file", `cannot read ${file.path}`);
    });
    problems.push(
      ...lintTemplate(
        {
          // As the message library reads it, so line numbers agree.
          text: text.replace(/\r\n?/g, "\n"),
          file: file.path,
          language: file.language,
          kind: file.kind,
          name: file.name,
        },
        rules,
        authorized,
      ),
    );
  }
  const count = (severity: LintProblem["severity"]) =>
    problems.filter((problem) => problem.severity === severity).length;
  return { files: files.length, errors: count("error"), warnings: count("warning"), problems };
}
