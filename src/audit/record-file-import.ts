import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { LedgerSchema } from "../db/schema.js";
import { SYSTEM_CUSTOMER, writeLog } from "../dunning/contact-log.js";

/** A file whose rows changed the ledger in bulk, as one audit entry says it. */
export type ImportedFile = {
  readonly at: string;
  /** Who ran the import. */
  readonly by: string;
  /** `import-payments`, `import-bank-statement`, … */
  readonly rule: string;
  readonly file: string;
  /** SHA-256 of the file's bytes, hex: which file it was, whatever it is called later. */
  readonly sha256: string;
  readonly rows: number;
  /** What the rows did, in words. */
  readonly outcome: string;
};

/**
 * An import changes up to a million invoices at once: one audit entry per file (for the
 * system, customer `*`) rather than one per row keeps the import fast, and the file's digest
 * ties the entry to the exact rows; the rows themselves name their import (`import_id`).
 */
export async function logImportedFile(db: Kysely<LedgerSchema>, file: ImportedFile): Promise<void> {
  await writeLog(db, [
    {
      at: file.at,
      actor: file.by,
      customerId: SYSTEM_CUSTOMER,
      status: "recorded",
      rule: file.rule,
      reason: `${file.file} (sha256 ${file.sha256}): ${file.rows} rows; ${file.outcome}`,
    },
  ]);
}

export function sha256(bytes: Buffer | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** `source` passed through unchanged, with the SHA-256 of what was read once it has been read. */
export function digesting(source: AsyncIterable<Buffer | string>): {
  readonly source: AsyncIterable<Buffer | string>;
  readonly sha256: () => string;
} {
  const hash = createHash("sha256");
  let digest: string | undefined;
  async function* passThrough() {
    for await (const chunk of source) {
      hash.update(chunk);
      yield chunk;
    }
    digest = hash.digest("hex");
  }
  return {
    source: passThrough(),
    sha256: () => {
      if (digest === undefined) throw new Error("the file has not been read to its end");
      return digest;
    },
  };
}
