import { OverdueError } from "../../kernel/errors.js";

/** One thing wrong with a statement file: `where` is a line/column, an element path or a CSV row. */
export type StatementProblem = { readonly where: string; readonly problem: string };

/**
 * A statement file refused whole. The message has one `FILE: WHERE: problem` line per
 * problem (`FILE:ROW: field: problem` for CSV, as the ledger imports print them).
 */
export class StatementFileError extends OverdueError {
  readonly fileName: string;
  readonly problems: readonly StatementProblem[];
  constructor(fileName: string, problems: readonly StatementProblem[], separator = ": ") {
    super(
      "statement_malformed",
      problems.map((p) => `${fileName}${separator}${p.where}: ${p.problem}`).join("\n"),
    );
    this.fileName = fileName;
    this.problems = problems;
  }
}

/** The most problems one error lists; a file that wrong is wrong everywhere. */
const MAX_PROBLEMS = 50;

/**
 * Collects the problems of one file so the user sees all of them at once, not one per try.
 * Mappers record a problem and carry on with a placeholder; `throwIfAny` ends the parse.
 */
export class ProblemList {
  readonly #problems: StatementProblem[] = [];
  readonly #fileName: string;
  readonly #separator: string;

  constructor(fileName: string, separator = ": ") {
    this.#fileName = fileName;
    this.#separator = separator;
  }

  add(where: string, problem: string): void {
    if (this.#problems.length < MAX_PROBLEMS) this.#problems.push({ where, problem });
  }

  get count(): number {
    return this.#problems.length;
  }

  /** Stops at the first problem, for problems that leave nothing sensible to check further. */
  fail(where: string, problem: string): never {
    this.add(where, problem);
    throw this.error();
  }

  throwIfAny(): void {
    if (this.#problems.length > 0) throw this.error();
  }

  private error(): StatementFileError {
    return new StatementFileError(this.#fileName, this.#problems, this.#separator);
  }
}
