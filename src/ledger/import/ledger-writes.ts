import type { CustomersTable, InvoicesTable, PaymentsTable } from "../../db/schema.js";
import type { RowWrite } from "./write-rows.js";

/** Which import last wrote a row, from which line, and when. */
const MARK = ["import_id", "import_line", "updated_at"] as const;

/** The customer columns a file sets; a re-import that changes none of them leaves the row as is. */
export const CUSTOMER_FILE_COLUMNS = [
  "name",
  "kind",
  "email",
  "phone",
  "country",
  "language",
  "timezone",
  "address_line1",
  "address_line2",
  "postal_code",
  "city",
  "risk",
] as const satisfies readonly (keyof CustomersTable)[];
/** The invoice columns a file sets; a re-import that changes none of them leaves the row as is. */
export const INVOICE_FILE_COLUMNS = [
  "customer_id",
  "number",
  "issue_date",
  "due_date",
  "currency",
  "amount_minor",
] as const satisfies readonly (keyof InvoicesTable)[];

/** The payment columns a file sets. */
export const PAYMENT_FILE_COLUMNS = [
  "customer_id",
  "kind",
  "date",
  "currency",
  "amount_minor",
  "invoice_id",
  "reference",
] as const satisfies readonly (keyof PaymentsTable)[];

export const INSERT_CUSTOMERS: RowWrite<"customers"> = {
  table: "customers",
  columns: ["id", ...CUSTOMER_FILE_COLUMNS, "collector_id", "created_at", ...MARK],
};

export const UPDATE_CUSTOMERS: RowWrite<"customers"> = {
  ...INSERT_CUSTOMERS,
  upsert: { key: "id", set: [...CUSTOMER_FILE_COLUMNS, ...MARK] },
};

export const INSERT_INVOICES: RowWrite<"invoices"> = {
  table: "invoices",
  columns: [
    "id",
    ...INVOICE_FILE_COLUMNS,
    "open_minor",
    "last_allocation_on",
    "status",
    "created_at",
    ...MARK,
  ],
};

export const UPDATE_INVOICES: RowWrite<"invoices"> = {
  ...INSERT_INVOICES,
  upsert: { key: "id", set: [...INVOICE_FILE_COLUMNS, "open_minor", "status", ...MARK] },
};

/** What allocation decides on invoices that exist (the upsert never inserts). */
export const INVOICE_BALANCES: RowWrite<"invoices"> = {
  ...INSERT_INVOICES,
  upsert: { key: "id", set: ["open_minor", "last_allocation_on", "status", "updated_at"] },
};

export const INSERT_PAYMENTS: RowWrite<"payments"> = {
  table: "payments",
  columns: ["id", ...PAYMENT_FILE_COLUMNS, "seq", "unallocated_minor", "created_at", ...MARK],
};

/** `seq` is not overwritten: a corrected payment keeps its place in the order. */
export const UPDATE_PAYMENTS: RowWrite<"payments"> = {
  ...INSERT_PAYMENTS,
  upsert: { key: "id", set: [...PAYMENT_FILE_COLUMNS, "unallocated_minor", ...MARK] },
};

/** The credit left on payments that exist, after allocation is replayed. */
export const PAYMENT_CREDIT: RowWrite<"payments"> = {
  ...INSERT_PAYMENTS,
  upsert: { key: "id", set: ["unallocated_minor", "updated_at"] },
};

export const INSERT_ALLOCATIONS: RowWrite<"allocations"> = {
  table: "allocations",
  columns: ["payment_id", "invoice_id", "amount_minor", "date"],
};
