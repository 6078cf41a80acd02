import { Worker } from "node:worker_threads";
import { OverdueError } from "../../kernel/errors.js";
import type { ParsedStatement, ParseStatementOptions } from "./statement.js";

type WorkerAnswer =
  | { readonly ok: true; readonly statements: ParsedStatement[] }
  | { readonly ok: false; readonly code: string; readonly message: string };

/**
 * `parseStatementFile` on another thread, so a large file is read while the ledger is loaded
 * for matching (each takes seconds at a hundred thousand lines and a million invoices). The
 * statements come back whole or not at all; a malformed file rejects with the parser's message.
 */
export function parseStatementFileInWorker(
  content: Buffer,
  options: ParseStatementOptions,
): Promise<ParsedStatement[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./statement-worker.js", import.meta.url), {
      workerData: { content, options },
    });
    worker.once("message", (answer: WorkerAnswer) => {
      if (answer.ok) resolve(answer.statements);
      else reject(new OverdueError(answer.code, answer.message));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      // After a message this changes nothing: a settled promise stays settled.
      reject(new Error(`the statement parser stopped (exit code ${code}) without an answer`));
    });
  });
}
