import { type Kysely, sql } from "kysely";
import type { Database } from "../db/database.js";
import type { LedgerSchema } from "../db/schema.js";
import {
  defaultNormaliseNumber,
  type NumberKind,
  type OpenInvoiceForMatching,
  PaymentMatcher,
} from "./domain/matching.js";
import {
  checkReference,
  normalisedInvoiceNumber,
  type ReferenceSettings,
} from "./domain/reference.js";

/**
 * The matcher over the ledger as it stands: every open invoice, every customer with the accounts
 * they have paid from before.
 */
export async function loadMatcher(
  database: Database,
  db: Kysely<LedgerSchema>,
  references: ReferenceSettings,
): Promise<PaymentMatcher> {
  const payers = await db.selectFrom("payer_accounts").select(["account", "customer_id"]).execute();
  const accounts = new Map<string, string[]>();
  for (const { account, customer_id } of payers) {
    const list = accounts.get(customer_id) ?? [];
    list.push(account);
    accounts.set(customer_id, list);
  }
  const customers = (await database.arrays(
    db.selectFrom("customers").select(["id", "name"]).compile(),
  )) as [string, string][];
  // Read while the matcher indexes them (the customers first): on SQLite a million invoices
  // are never all in memory at once, as rows or as objects.
  const invoices = (await database.scan(
    db
      .selectFrom("invoices")
      .select(["id", "number", "customer_id", "currency", "open_minor", "due_date"])
      .where(sql<boolean>`open_minor > 0`)
      .compile(),
  )) as Iterable<[string, string, string, string, bigint, string]>;
  // One record, refilled per row: the matcher copies what it keeps out of each.
  function* asInvoices() {
    const invoice = {
      id: "",
      number: "",
      customerId: "",
      currency: "",
      openMinor: 0n,
      dueDate: "",
    };
    for (const row of invoices) {
      [invoice.id, invoice.number, invoice.customerId, invoice.currency, invoice.openMinor] = row;
      invoice.dueDate = row[5];
      yield invoice as OpenInvoiceForMatching;
    }
  }
  function* asCustomers() {
    for (const [id, name] of customers) yield { id, name, accounts: accounts.get(id) ?? [] };
  }
  return new PaymentMatcher(asInvoices(), asCustomers(), {
    decodeReference: referenceDecoder(references),
    normaliseNumber,
  });
}

/**
 * An OCR number does not say whether it carries a length digit; ours do exactly when the
 * settings say so, and reading it the other way would give the wrong base.
 */
function referenceDecoder(references: ReferenceSettings) {
  const ocrLengthDigit = references.lengthDigit === true;
  return (reference: string) => {
    const checked = checkReference(reference, { ocrLengthDigit });
    return checked.valid ? { kind: checked.kind, base: checked.base } : null;
  };
}

const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/**
 * References are read as our own generator made them; free text as the matcher reads it. The
 * two agree on plain ASCII (almost every invoice number), which skips the Unicode folding.
 */
function normaliseNumber(number: string, kind: NumberKind): string {
  if (kind === "ocr") return normalisedInvoiceNumber(number, kind);
  // The matcher asks for the text form and then the RF form of each number in turn.
  if (number !== last.number) last = { number, text: defaultNormaliseNumber(number, "text") };
  return kind === "text" || PLAIN_ASCII.test(number)
    ? last.text
    : normalisedInvoiceNumber(number, kind);
}
let last = { number: "", text: "" };
