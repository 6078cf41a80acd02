/**
 * Domain errors carry a stable `code` so the CLI and (later) the API can map them once,
 * and the data needed to explain them, never a stack trace to the user.
 */
export class OverdueError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "OverdueError";
    this.code = code;
  }
}

/** A value that failed validation: `problem` reads well after "field: ". */
export type Invalid = { readonly ok: false; readonly problem: string };
export type Valid<T> = { readonly ok: true; readonly value: T };
export type Checked<T> = Valid<T> | Invalid;

export const valid = <T>(value: T): Valid<T> => ({ ok: true, value });
export const invalid = (problem: string): Invalid => ({ ok: false, problem });
