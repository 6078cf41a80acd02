import type { Checked } from "../../kernel/errors.js";
import type { FieldProblem } from "./csv-records.js";

/**
 * Reads one CSV row's fields, collecting every problem instead of stopping at the first,
 * so a user fixes a row in one pass.
 */
export class RowFields {
  readonly problems: FieldProblem[] = [];
  constructor(private readonly values: Readonly<Record<string, string>>) {}

  /** The trimmed value, or null when the column is absent or empty. */
  optional(field: string): string | null {
    const value = this.values[field]?.trim();
    return value ? value : null;
  }

  required(field: string): string | null {
    const value = this.optional(field);
    if (value === null) this.problems.push({ field, problem: "is required" });
    return value;
  }

  /** Runs a parser on a present value and records its complaint under `field`. */
  check<T>(field: string, value: string | null, parser: (text: string) => Checked<T>): T | null {
    if (value === null) return null;
    const result = parser(value);
    if (result.ok) return result.value;
    this.problems.push({ field, problem: result.problem });
    return null;
  }

  fail(field: string, problem: string): void {
    this.problems.push({ field, problem });
  }
}
