import type { Generated } from "kysely";

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

export interface LedgerSchema {
  policies: PoliciesTable;
  customers: CustomersTable;
  invoices: InvoicesTable;
  payments: PaymentsTable;
  allocations: AllocationsTable;
  imports: ImportsTable;
}
