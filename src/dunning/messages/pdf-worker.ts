import { parentPort, workerData } from "node:worker_threads";
import { OverdueError } from "../../kernel/errors.js";
import { loadMessageLibrary } from "./load-message-library.js";
import type { MessageInput } from "./message.js";
import { renderLetterPdf } from "./render-letter-pdf.js";

/** Runs in the worker thread `pdfRendererInWorker` starts: renders letters on request. */
const library = await loadMessageLibrary((workerData as { templateDir: string }).templateDir);
parentPort?.on("message", async ({ id, input }: { id: number; input: MessageInput }) => {
  try {
    const pdf = await renderLetterPdf(library, input);
    const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
    parentPort?.postMessage({ id, ok: true, pdf: bytes });
  } catch (error) {
    // The code travels too, so a refused template reads as `template_refused` on the main thread.
    const code = error instanceof OverdueError ? error.code : undefined;
    parentPort?.postMessage({ id, ok: false, code, message: (error as Error).message });
  }
});
