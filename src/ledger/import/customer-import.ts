import type { CustomersTable } from "../../db/schema.js";
import {
  type Customer,
  defaultLanguage,
  defaultTimeZone,
  parseCountry,
  parseCustomerKind,
  parseEmail,
  parseLanguage,
  parsePhone,
  parseTimeZone,
} from "../domain/customer.js";
import { chunksFor, type RowImporter } from "./import-csv.js";
import { RowFields, SeenInFile } from "./row-fields.js";

type CustomerRow = Omit<Customer, "collectorId">;

const COLUMNS = {
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

type CustomerColumns = Omit<
  CustomersTable,
  "collector_id" | "import_id" | "import_line" | "created_at" | "updated_at"
>;

function toColumns(row: CustomerRow): CustomerColumns {
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
  };
}

/** The columns a file sets; a re-import that changes none of them leaves the row unchanged. */
const COMPARED = [
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
] as const satisfies readonly (keyof CustomerColumns)[];

export const customerImporter: RowImporter<CustomerRow> = {
  kind: "customers",
  columns: COLUMNS,
  parse: parseCustomerRow,
  async applyBatch({ trx, importId, now, maxParameters }, batch) {
    const stored = new Map(
      (
        await trx
          .selectFrom("customers")
          .selectAll()
          .where(
            "id",
            "in",
            batch.map((b) => b.row.id),
          )
          .execute()
      ).map((c) => [c.id, c]),
    );
    const seen = new SeenInFile(importId);
    const errors = [];
    const writes: CustomersTable[] = [];
    let inserted = 0;
    let updated = 0;
    let unchanged = 0;
    for (const { line, row } of batch) {
      const before = stored.get(row.id);
      const repeat = seen.repeat(row.id, line, before);
      if (repeat) {
        errors.push({ line, field: "customer_id", problem: repeat });
        continue;
      }
      const columns = toColumns(row);
      const changed = !before || COMPARED.some((key) => before[key] !== columns[key]);
      if (!before) inserted += 1;
      else if (changed) updated += 1;
      else unchanged += 1;
      writes.push({
        ...columns,
        collector_id: before?.collector_id ?? null,
        import_id: importId,
        import_line: BigInt(line),
        created_at: before?.created_at ?? now,
        updated_at: changed ? now : (before?.updated_at ?? now),
      });
    }
    for (const chunk of chunksFor(writes, 17, maxParameters)) {
      await trx
        .insertInto("customers")
        .values(chunk)
        .onConflict((oc) =>
          oc.column("id").doUpdateSet((eb) => ({
            name: eb.ref("excluded.name"),
            kind: eb.ref("excluded.kind"),
            email: eb.ref("excluded.email"),
            phone: eb.ref("excluded.phone"),
            country: eb.ref("excluded.country"),
            language: eb.ref("excluded.language"),
            timezone: eb.ref("excluded.timezone"),
            address_line1: eb.ref("excluded.address_line1"),
            address_line2: eb.ref("excluded.address_line2"),
            postal_code: eb.ref("excluded.postal_code"),
            city: eb.ref("excluded.city"),
            import_id: eb.ref("excluded.import_id"),
            import_line: eb.ref("excluded.import_line"),
            updated_at: eb.ref("excluded.updated_at"),
          })),
        )
        .execute();
    }
    return { errors, inserted, updated, unchanged };
  },
};
