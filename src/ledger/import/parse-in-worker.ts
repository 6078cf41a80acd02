import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { CsvFileError, type RowError } from "./csv-records.js";
import type { ImportKind } from "./import-csv.js";
import type { ParsedBatch, RowCodec } from "./parsed-batches.js";

/** Main thread → parser: the source's bytes in order, then its end. */
export type ToParser =
  | { readonly type: "chunk"; readonly chunk: Uint8Array | string }
  | { readonly type: "end" };

/** A parsed batch as it crosses: its rows in `packed` when the kind has a codec (RowCodec). */
export type WireBatch = { readonly batch: ParsedBatch<unknown>; readonly packed?: unknown };

/** Parser → main thread. */
export type FromParser =
  /** The batches parsed since the last message, once the parser has taken `consumed` chunks. */
  | { readonly type: "batches"; readonly batches: readonly WireBatch[]; readonly consumed: number }
  | { readonly type: "end" }
  /** The file cannot be read as CSV (CsvFileError). */
  | { readonly type: "unreadable"; readonly errors: readonly RowError[] }
  | { readonly type: "failed"; readonly message: string };

type Received = WireBatch | Exclude<FromParser, { type: "batches" }>;

const WORKER = new URL("./parse-worker.js", import.meta.url);

/**
 * Bytes of the source handed over at least at a time (a file stream's chunks are 64 KB). Larger
 * hand-overs were tried (256 KB, 1 MB): fewer messages, but more memory (70 MB more at peak)
 * and no faster.
 */
const CHUNK_BYTES = 1 << 16;
/** Chunks the parser may hold unparsed. */
const AHEAD = 4;
/** Parsed batches that may wait for the database before the source is read further. */
const WAITING = 8;

export type ParserThread<Row> = {
  readonly batches: AsyncGenerator<ParsedBatch<Row>>;
  /** Ends the thread, whether or not its batches were read to the end. */
  stop(): Promise<void>;
};

/**
 * `parsedBatches` for one kind of ledger file, run on a worker thread: parsing and validating
 * a million rows is about as much CPU as storing them, and with it on the other core the main
 * thread only writes. The source is still read here (so whoever wraps it, e.g. to digest the
 * file, sees every byte) and handed over a few chunks ahead of the parser; memory stays flat
 * because no more is read while parsed batches wait for the database. The thread starts at
 * once, so it loads its code while the caller opens its transaction.
 *
 * Undefined when there is no worker script next to this module (running from the TypeScript
 * sources): the caller then parses on its own thread, with the same code.
 */
export function parserThread<Row>(
  kind: ImportKind,
  source: AsyncIterable<Buffer | string>,
  columnMap: ReadonlyMap<string, string>,
  codec: RowCodec<Row> | undefined,
): ParserThread<Row> | undefined {
  if (!existsSync(fileURLToPath(WORKER))) return undefined;
  const worker = new Worker(WORKER, { workerData: { kind, columnMap: [...columnMap] } });
  // Listening from the start: a thread that fails while loading must not go unheard.
  const state = new ThreadState(worker);
  return {
    batches: run(worker, state, source, codec),
    stop: async () => {
      await worker.terminate();
    },
  };
}

/** What the parser thread has said and not yet been read. */
class ThreadState {
  readonly inbox: Received[] = [];
  /** Chunks the parser has taken. */
  consumed = 0;
  failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(worker: Worker) {
    worker.on("message", (message: FromParser) => {
      if (message.type === "batches") {
        this.consumed = message.consumed;
        this.inbox.push(...message.batches);
      } else {
        this.inbox.push(message);
      }
      this.notify();
    });
    worker.on("error", (error) => {
      this.failure = error;
      this.notify();
    });
    worker.on("exit", (code) => {
      this.failure ??= new Error(
        `the CSV parser stopped (exit code ${code}) before the end of the file`,
      );
      this.notify();
    });
  }

  /** Resolves at the next message, error or exit. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private notify(): void {
    this.wake?.();
    this.wake = undefined;
  }
}

async function* run<Row>(
  worker: Worker,
  state: ThreadState,
  source: AsyncIterable<Buffer | string>,
  codec: RowCodec<Row> | undefined,
): AsyncGenerator<ParsedBatch<Row>> {
  const unpack = (packed: unknown) => {
    if (!codec) throw new Error("packed rows without a codec");
    return codec.unpack(packed);
  };
  const chunks = source[Symbol.asyncIterator]();
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let sent = 0;
  let sourceDone = false;
  const send = (chunk: Uint8Array<ArrayBuffer> | string) => {
    if (typeof chunk === "string") worker.postMessage({ type: "chunk", chunk } satisfies ToParser);
    else worker.postMessage({ type: "chunk", chunk } satisfies ToParser, [chunk.buffer]);
    sent += 1;
  };
  const sendPending = () => {
    if (pendingBytes === 0) return;
    // A copy of its own (the stream may reuse its buffers), handed over without a second copy.
    const chunk = new Uint8Array(pendingBytes);
    let at = 0;
    for (const buffer of pending) {
      chunk.set(buffer, at);
      at += buffer.length;
    }
    pending = [];
    pendingBytes = 0;
    send(chunk);
  };
  try {
    for (;;) {
      while (!sourceDone && sent - state.consumed < AHEAD && state.inbox.length < WAITING) {
        const next = await chunks.next();
        if (next.done) {
          sendPending();
          sourceDone = true;
          worker.postMessage({ type: "end" } satisfies ToParser);
        } else if (typeof next.value === "string") {
          sendPending();
          send(next.value);
        } else {
          pending.push(next.value);
          pendingBytes += next.value.length;
          if (pendingBytes >= CHUNK_BYTES) sendPending();
        }
      }
      const message = state.inbox.shift();
      if (message === undefined) {
        if (state.failure) throw state.failure;
        await state.next();
        continue;
      }
      if ("batch" in message) {
        // The rows were made by this kind's parser on the other thread.
        yield message.packed === undefined
          ? (message.batch as ParsedBatch<Row>)
          : { ...message.batch, rows: unpack(message.packed) };
        continue;
      }
      switch (message.type) {
        case "end":
          return;
        case "unreadable":
          throw new CsvFileError(message.errors);
        case "failed":
          throw new Error(`the CSV parser failed: ${message.message}`);
      }
    }
  } finally {
    await worker.terminate();
  }
}
