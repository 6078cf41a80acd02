import { parentPort, workerData } from "node:worker_threads";
import { OverdueError } from "../../kernel/errors.js";
import { type ParseStatementOptions, parseStatementFile } from "./statement.js";

/** Runs in a worker thread started by `parseStatementFileInWorker`. */
const { content, options } = workerData as { content: Uint8Array; options: ParseStatementOptions };
try {
  const statements = parseStatementFile(Buffer.from(content), options);
  parentPort?.postMessage({ ok: true, statements });
} catch (error) {
  parentPort?.postMessage(
    error instanceof OverdueError
      ? { ok: false, code: error.code, message: error.message }
      : { ok: false, code: "statement_unreadable", message: String(error) },
  );
}
