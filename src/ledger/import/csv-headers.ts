/** The headers of the three ledger files, in the order the import contract documents them. */
export const LEDGER_CSV_HEADERS = {
  customers: [
    "customer_id",
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
  ],
  invoices: ["invoice_id", "customer_id", "issue_date", "due_date", "currency", "amount"],
  payments: ["payment_id", "customer_id", "invoice_id", "date", "currency", "amount", "reference"],
} as const;
