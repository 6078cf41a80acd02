import { parentPort, workerData } from "node:worker_threads";
import { CsvFileError } from "./csv-records.js";
import type { ImportKind } from "./import-csv.js";
import type { FromParser, ToParser, WireBatch } from "./parse-in-worker.js";
import { parsedBatches } from "./parsed-batches.js";
import { rowParser } from "./row-parsers.js";

/** Runs in a worker thread started by `parsedBatchesInWorker`, which documents the messages. */
const { kind, columnMap } = workerData as {
  kind: ImportKind;
  columnMap: [string, string][];
};
const port = parentPort;
if (!port) throw new Error("parse-worker runs as a worker thread");
const post = (message: FromParser) => port.postMessage(message);

const chunks: (Uint8Array | string)[] = [];
let ended = false;
let wake: (() => void) | undefined;
port.on("message", (message: ToParser) => {
  if (message.type === "chunk") chunks.push(message.chunk);
  else ended = true;
  wake?.();
  wake = undefined;
});

/** Batches parsed since the last message: sent together, so each thread wakes the other rarely. */
let ready: WireBatch[] = [];
let consumed = 0;
const flush = () => {
  post({ type: "batches", batches: ready, consumed });
  ready = [];
};

async function* source(): AsyncGenerator<Buffer | string> {
  for (;;) {
    const chunk = chunks.shift();
    if (chunk !== undefined) {
      consumed += 1;
      flush();
      yield typeof chunk === "string"
        ? chunk
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    } else if (ended) {
      return;
    } else {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  }
}

try {
  const parser = await rowParser(kind);
  for await (const batch of parsedBatches(source(), parser, new Map(columnMap))) {
    const packed = batch.rows.length > 0 ? parser.codec?.pack(batch.rows) : undefined;
    ready.push(packed === undefined ? { batch } : { batch: { ...batch, rows: [] }, packed });
  }
  flush();
  post({ type: "end" });
} catch (error) {
  if (error instanceof CsvFileError) post({ type: "unreadable", errors: error.errors });
  else
    post({
      type: "failed",
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
}
port.close();
