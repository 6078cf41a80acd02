import { Worker } from "node:worker_threads";
import { OverdueError } from "../../kernel/errors.js";
import type { MessageInput } from "./message.js";
import type { MessageLibrary } from "./message-library.js";

export type PdfRenderer = {
  render(input: MessageInput): Promise<Buffer>;
  close(): Promise<void>;
};

type Answer =
  | { readonly id: number; readonly ok: true; readonly pdf: Uint8Array }
  | { readonly id: number; readonly ok: false; readonly code?: string; readonly message: string };

/**
 * Renders letter PDFs on a worker thread, from the same template folder. Laying out a PDF is
 * most of the CPU an e-mail with a statement costs; on its own thread it runs beside the
 * database and SMTP work of the other e-mails under way. Started at the first render.
 */
export function pdfRendererInWorker(library: MessageLibrary): PdfRenderer {
  let worker: Worker | undefined;
  let next = 0;
  const waiting = new Map<number, { resolve(pdf: Buffer): void; reject(error: Error): void }>();
  const failAll = (error: Error) => {
    for (const request of waiting.values()) request.reject(error);
    waiting.clear();
  };
  const started = () => {
    if (worker) return worker;
    const thread = new Worker(new URL("./pdf-worker.js", import.meta.url), {
      workerData: { templateDir: library.dir },
    });
    thread.on("message", (answer: Answer) => {
      const request = waiting.get(answer.id);
      waiting.delete(answer.id);
      if (answer.ok)
        request?.resolve(
          Buffer.from(answer.pdf.buffer, answer.pdf.byteOffset, answer.pdf.byteLength),
        );
      else request?.reject(new OverdueError(answer.code ?? "letter_failed", answer.message));
    });
    thread.on("error", failAll);
    thread.on("exit", (code) => {
      worker = undefined;
      failAll(new Error(`the letter renderer stopped (exit code ${code})`));
    });
    worker = thread;
    return thread;
  };
  return {
    render(input) {
      const id = next++;
      const thread = started();
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        thread.postMessage({ id, input });
      });
    },
    async close() {
      await worker?.terminate();
    },
  };
}
