import type { CustomersTable } from "../../db/schema.js";
import {
  type Customer,
  defaultLanguage,
  defaultTimeZone,
  parseCountry,
  parseCustomerKind,
  parseCustomerRisk,
  parseEmail,
  parseLanguage,
  parsePhone,
  parseTimeZone,
} from "../domain/customer.js";
import type { RowImporter } from "./import-csv.js";
import { CUSTOMER_FILE_COLUMNS, INSERT_CUSTOMERS, UPDATE_CUSTOMERS } from "./ledger-writes.js";
import { RowFields } from "./row-fields.js";
import { writeRows } from "./write-rows.js";

type CustomerRow = Omit<Customer, "collectorId">;

/** The columns of a customer file, by our names. */
export const CUSTOMER_COLUMNS = {
  required: ["customer_id", "name", "kind", "country"],
  optional: [
    "email",
    "phone",
    "language",
    "timezone",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "risk",
  ],
} as const;

export function parseCustomerRow(values: Readonly<Record<string, string>>) {
  const f = new RowFields(values);
  const id = f.required("customer_id");
  const name = f.required("name");
  const kind = f.check("kind", f.required("kind"), parseCustomerKind);
  const country = f.check("country", f.required("country"), parseCountry);
  const email = f.check("email", f.optional("email"), parseEmail);
  const phone = country
    ? f.check("phone", f.optional("phone"), (t) => parsePhone(t, country))
    : null;
  const language = f.check("language", f.optional("language"), parseLanguage);
  const timezone = f.check("timezone", f.optional("timezone"), parseTimeZone);
  const risk = f.check("risk", f.optional("risk"), parseCustomerRisk);
  if (f.problems.length > 0 || !id || !name || !kind || !country) {
    return { ok: false as const, problems: f.problems };
  }
  const row: CustomerRow = {
    id,
    name,
    kind,
    email,
    phone,
    country,
    language: language ?? defaultLanguage(country),
    timezone: timezone ?? defaultTimeZone(country),
    risk: risk ?? null,
    address: {
      line1: f.optional("address_line1"),
      line2: f.optional("address_line2"),
      postalCode: f.optional("postal_code"),
      city: f.optional("city"),
      country,
    },
  };
  return { ok: true as const, row };
}

type FileColumns = Pick<CustomersTable, "id" | (typeof CUSTOMER_FILE_COLUMNS)[number]>;

function toColumns(row: CustomerRow): FileColumns {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    email: row.email,
    phone: row.phone,
    country: row.country,
    language: row.language,
    timezone: row.timezone,
    address_line1: row.address.line1,
    address_line2: row.address.line2,
    postal_code: row.address.postalCode,
    city: row.address.city,
    risk: row.risk,
  };
}

export const customerImporter: RowImporter<CustomerRow, CustomersTable> = {
  kind: "customers",
  table: "customers",
  bulkIndexes: [],
  columns: CUSTOMER_COLUMNS,
  idColumn: "customer_id",
  idOf: (row) => row.id,
  parse: parseCustomerRow,
  async load(trx, ids) {
    const rows = await trx.selectFrom("customers").selectAll().where("id", "in", ids).execute();
    return new Map(rows.map((row) => [row.id, row]));
  },
  async applyBatch({ trx, now, dialect, importId }, batch, stored) {
    const inserts: CustomersTable[] = [];
    const updates: CustomersTable[] = [];
    const unchanged: (typeof batch)[number][] = [];
    for (const entry of batch) {
      const before = stored.get(entry.row.id);
      const columns = toColumns(entry.row);
      const mark = { import_id: importId, import_line: BigInt(entry.line), updated_at: now };
      if (!before) {
        inserts.push({ ...columns, collector_id: null, created_at: now, ...mark });
      } else if (CUSTOMER_FILE_COLUMNS.some((key) => before[key] !== columns[key])) {
        updates.push({ ...before, ...columns, ...mark });
      } else {
        unchanged.push(entry);
      }
    }
    await writeRows(trx, dialect, INSERT_CUSTOMERS, inserts);
    await writeRows(trx, dialect, UPDATE_CUSTOMERS, updates);
    return { errors: [], inserted: inserts.length, updated: updates.length, unchanged };
  },
};
