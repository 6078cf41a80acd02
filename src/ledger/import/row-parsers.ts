import type { ImportKind } from "./import-csv.js";
import type { RowParser } from "./parsed-batches.js";

/**
 * The pure half of each importer, by kind: what a parsing thread needs of it. Loaded on demand,
 * so a thread reading invoices loads neither the customer checks (phone numbers) nor Kysely.
 */
export async function rowParser(kind: ImportKind): Promise<RowParser<unknown>> {
  switch (kind) {
    case "customers": {
      const { CUSTOMER_COLUMNS, parseCustomerRow } = await import("./customer-import.js");
      return { columns: CUSTOMER_COLUMNS, parse: parseCustomerRow };
    }
    case "invoices": {
      const { invoiceCodec, INVOICE_COLUMNS, parseInvoiceRow } = await import("./invoice-rows.js");
      return { columns: INVOICE_COLUMNS, parse: parseInvoiceRow, codec: invoiceCodec() };
    }
    case "payments": {
      const { PAYMENT_COLUMNS, parsePaymentRow } = await import("./payment-import.js");
      return { columns: PAYMENT_COLUMNS, parse: parsePaymentRow };
    }
  }
}
