import type { Generated, Selectable } from "kysely";

/**
 * Row shapes as the drivers return them. Money columns are BIGINT (PostgreSQL) / INTEGER
 * (SQLite) read as bigint; dates are `YYYY-MM-DD` strings on both stores.
 */
type Minor = bigint;
type Count = bigint;

export interface CustomersTable {
  id: string;
  name: string;
  kind: string;
  email: string | null;
  phone: string | null;
  country: string;
  language: string;
  timezone: string | null;
  address_line1: string | null;
  address_line2: string | null;
  postal_code: string | null;
  city: string | null;
  collector_id: string | null;
  /** low · medium · high; null when unrated. */
  risk: string | null;
  /** The import that last wrote this row, and its line there. */
  import_id: Count | null;
  import_line: Count | null;
  created_at: string;
  updated_at: string;
}

export interface InvoicesTable {
  id: string;
  customer_id: string;
  number: string;
  issue_date: string;
  due_date: string;
  currency: string;
  amount_minor: Minor;
  open_minor: Minor;
  /** Date of the latest payment or credit applied; with open_minor it gives the balance on any past date. */
  last_allocation_on: string | null;
  status: string;
  /** The import that last wrote this row, and its line there. */
  import_id: Count | null;
  import_line: Count | null;
  created_at: string;
  updated_at: string;
}

export interface PaymentsTable {
  id: string;
  customer_id: string;
  kind: string;
  date: string;
  currency: string;
  amount_minor: Minor;
  /** Order payments are applied in: import order, then line; kept when a payment is corrected. */
  seq: bigint;
  /** What is left after allocation: the customer's credit. */
  unallocated_minor: Minor;
  invoice_id: string | null;
  reference: string | null;
  /** The import that last wrote this row, and its line there. */
  import_id: Count | null;
  import_line: Count | null;
  created_at: string;
  updated_at: string;
}

export interface AllocationsTable {
  payment_id: string;
  invoice_id: string;
  amount_minor: Minor;
  /** The payment's date, copied so aging as of a past date needs no join to payments. */
  date: string;
}

export interface ImportsTable {
  id: Generated<bigint>;
  kind: string;
  file: string;
  started_at: string;
  finished_at: string | null;
  rows: Count;
  inserted: Count;
  updated: Count;
  unchanged: Count;
}

export interface PoliciesTable {
  name: string;
  /** The policy as JSON, exactly as validated by parsePolicy. */
  definition: string;
  /** 1 for the policy runs use, else 0 (a bigint from SQLite, a number from PostgreSQL). */
  is_default: number | bigint;
  updated_at: string;
}

export interface RunsTable {
  id: Generated<bigint>;
  as_of: string;
  /** The instant the run treated as now. */
  at: string;
  policy: string;
  planned: Count;
}

/** Where a planned contact is on its way out. */
export type OutboxStatus =
  | "awaiting_approval"
  | "planned"
  | "sending"
  | "sent"
  | "in_doubt"
  | "failed"
  | "cancelled";

export interface OutboxTable {
  id: Generated<bigint>;
  key: string;
  run_id: bigint;
  as_of: string;
  customer_id: string;
  /** A contact channel, or `escalation` for a proposal to the collections lead. */
  channel: string;
  fallback_from: string | null;
  tone: number | bigint;
  status: OutboxStatus;
  /** Not sent before this instant: retries back off, send windows wait. */
  not_before: string;
  attempts: number | bigint;
  claimed_by: string | null;
  claimed_at: string | null;
  message_id: string | null;
  /** The letter's PDF file. */
  document: string | null;
  /** Registered-post tracking number of a certified letter. */
  tracking: string | null;
  last_error: string | null;
  planned_at: string;
  sent_at: string | null;
}

export interface OutboxItemsTable {
  outbox_id: bigint;
  invoice_id: string;
  step_id: string;
  step_index: number | bigint;
  tone: number | bigint;
}

export interface ContactLogTable {
  id: Generated<bigint>;
  at: string;
  customer_id: string;
  invoice_id: string | null;
  outbox_id: bigint | null;
  channel: string | null;
  /** planned · delayed · refused · sent · failed · recorded */
  status: string;
  rule: string;
  reason: string;
  dedupe_key: string | null;
  /**
   * Who made the entry: the user who recorded an action, or `overdue` for the system's own
   * runs. Null on entries written before the audit log existed.
   */
  actor: string | null;
  /** The entry's place in the audit chain, and its hash there; null until sealed. */
  seq: bigint | null;
  hash: string | null;
}

export interface PromisesTable {
  id: Generated<bigint>;
  invoice_id: string;
  customer_id: string;
  promised_on: string;
  amount_minor: Minor | null;
  currency: string;
  open_minor_at_promise: Minor;
  /** open · kept · broken */
  status: string;
  taken_at: string;
  taken_by: string;
  channel: string | null;
  decided_at: string | null;
}

export interface DisputesTable {
  id: Generated<bigint>;
  invoice_id: string;
  customer_id: string;
  reason: string;
  /** open · resolved · rejected */
  status: string;
  opened_at: string;
  opened_by: string;
  closed_at: string | null;
  resolution: string | null;
  /** When verification of the debt went to the debtor, and how (12 CFR 1006.38(d)(2)). */
  verification_sent_at: string | null;
  verification_note: string | null;
}

/** A debt's validation notice (12 CFR 1006.34) and the end of its validation period. */
export interface ValidationNoticesTable {
  invoice_id: string;
  customer_id: string;
  outbox_id: bigint;
  channel: string;
  sent_on: string;
  period_ends: string;
}

export interface ClosuresTable {
  invoice_id: string;
  customer_id: string;
  /** written_off · placed */
  kind: string;
  /** The collection agency an invoice was placed with. */
  agency: string | null;
  reason: string;
  at: string;
  by: string;
}

export interface ContactStopsTable {
  customer_id: string;
  /** A channel, or `*` for all contact. */
  channel: string;
  at: string;
}

export interface TasksTable {
  id: Generated<bigint>;
  key: string;
  /** call · broken_promise · escalation */
  kind: string;
  customer_id: string;
  collector_id: string | null;
  outbox_id: bigint | null;
  promise_id: bigint | null;
  /** JSON array of the invoice ids the task is about. */
  invoice_ids: string;
  script: string;
  /** open · done */
  status: string;
  outcome: string | null;
  note: string | null;
  created_at: string;
  done_at: string | null;
}

export interface BankAccountsTable {
  account: string;
  currency: string;
  first_seen_at: string;
}

export interface BankStatementsTable {
  id: Generated<bigint>;
  account: string;
  statement_id: string;
  format: string;
  file: string;
  currency: string;
  opening_minor: Minor | null;
  closing_minor: Minor | null;
  from_date: string | null;
  to_date: string | null;
  /** What did not add up, as the import reported it; null when the balances agree. */
  balance_problem: string | null;
  imported_at: string;
}

/**
 * What became of a bank transaction: applied to invoices, waiting for review, a debit, taken
 * off the queue by a person, or a transaction another statement of the account already had.
 */
export type BankLineStatus = "applied" | "review" | "debit" | "ignored" | "duplicate";

export interface BankLinesTable {
  id: Generated<bigint>;
  statement: bigint;
  key: string;
  /** Small integers read back as bigint from SQLite and number from PostgreSQL. */
  position: number | bigint;
  amount_minor: Minor;
  currency: string;
  credit_debit: "CRDT" | "DBIT";
  /** 1 when the bank marked the entry as a reversal (camt RvslInd). */
  reversal: number | bigint;
  booking_date: string | null;
  value_date: string | null;
  reference: string | null;
  remittance: string;
  counterparty_name: string | null;
  counterparty_account: string | null;
  bank_reference: string | null;
  status: BankLineStatus;
  rule: string;
  confidence: number | bigint;
  reason: string;
  customer_id: string | null;
  /** JSON `{ invoiceIds, amounts }` the matcher proposed, for a line waiting for review. */
  suggestion: string | null;
  /** JSON array of invoice ids, once applied. */
  invoice_ids: string | null;
  credit_minor: Minor | null;
  applied_at: string | null;
  applied_by: string | null;
}

/** A bank line as read back. */
export type BankLine = Selectable<BankLinesTable>;

export interface PayerAccountsTable {
  account: string;
  customer_id: string;
  learned_at: string;
}

export interface LedgerSchema {
  bank_accounts: BankAccountsTable;
  bank_statements: BankStatementsTable;
  bank_lines: BankLinesTable;
  payer_accounts: PayerAccountsTable;
  runs: RunsTable;
  outbox: OutboxTable;
  outbox_items: OutboxItemsTable;
  contact_log: ContactLogTable;
  promises: PromisesTable;
  disputes: DisputesTable;
  validation_notices: ValidationNoticesTable;
  closures: ClosuresTable;
  contact_stops: ContactStopsTable;
  tasks: TasksTable;
  policies: PoliciesTable;
  customers: CustomersTable;
  invoices: InvoicesTable;
  payments: PaymentsTable;
  allocations: AllocationsTable;
  imports: ImportsTable;
}
