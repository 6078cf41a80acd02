import { type Kysely, sql } from "kysely";
import type { Database } from "../db/database.js";
import type { LedgerSchema } from "../db/schema.js";
import type { CalendarDate } from "../kernel/calendar-date.js";
import type { CustomerKind, CustomerRisk } from "../ledger/domain/customer.js";
import {
  type ChaseCustomer,
  type ChaseInvoice,
  type Hold,
  type InvoiceProgress,
  planRun,
  type RunPlan,
} from "./domain/plan-run.js";
import { CHANNELS, type Channel, type PolicySet, policyFor } from "./domain/policy.js";

/** Outbox states that count as the step having been taken. */
const TAKEN_STATUSES = ["sent", "in_doubt"] as const;
/** Outbox states of a contact still on its way out. */
const PENDING_STATUSES = ["awaiting_approval", "planned", "sending"] as const;

/**
 * Where the plan reads from: queries, and the array reader for the one big scan. Inside a
 * transaction on PostgreSQL `arrays` runs on another connection; it only reads invoices,
 * which planning does not write.
 */
export type LedgerReader = {
  readonly db: Kysely<LedgerSchema>;
  readonly arrays: Database["arrays"];
};

type PlanOptions = {
  /** Plan for this customer only (a preview). */
  readonly customerId?: string;
  /** Customers planned together; memory grows with it, not with the ledger. */
  readonly chunkSize?: number;
};

/** What the daily run would send on `asOf`, from the ledger, the outbox and the holds. */
export async function planDailyRun(
  store: LedgerReader,
  asOf: CalendarDate,
  policies: PolicySet,
  isBusinessDay: (country: string, date: CalendarDate) => boolean,
  options: PlanOptions = {},
): Promise<RunPlan> {
  const contacts = [];
  const escalations = [];
  const notChased = [];
  for await (const part of planInChunks(store, asOf, policies, isBusinessDay, options)) {
    contacts.push(...part.contacts);
    escalations.push(...part.escalations);
    notChased.push(...part.notChased);
  }
  return { contacts, escalations, notChased };
}

/**
 * The daily plan, a few thousand customers at a time in id order: each part reads only its
 * customers' invoices and outbox history, so a run over a million invoices holds one part in
 * memory, not the ledger.
 */
export async function* planInChunks(
  store: LedgerReader,
  asOf: CalendarDate,
  policies: PolicySet,
  isBusinessDay: (country: string, date: CalendarDate) => boolean,
  options: PlanOptions = {},
): AsyncGenerator<RunPlan> {
  const { db } = store;
  const holds = await openHolds(db);
  const chunkSize = options.chunkSize ?? 5000;
  let after: string | undefined;
  for (;;) {
    let query = db
      .selectFrom("customers")
      .select(["id", "kind", "country", "risk", "email", "phone", "address_line1", "city"])
      .orderBy("id")
      .limit(chunkSize);
    if (options.customerId !== undefined) query = query.where("id", "=", options.customerId);
    if (after !== undefined) query = query.where("id", ">", after);
    const rows = await query.execute();
    const first = rows[0]?.id;
    const last = rows.at(-1)?.id;
    if (first === undefined || last === undefined) return;
    const customers = await chaseCustomers(db, rows, first, last);
    const invoices = await chaseInvoices(store, asOf, first, last, holds);
    yield planRun({
      asOf,
      customers,
      invoices,
      policyFor: (customer) => policyFor(policies, customer),
      isBusinessDay,
    });
    if (rows.length < chunkSize) return;
    after = last;
  }
}

type CustomerRow = {
  id: string;
  kind: string;
  country: string;
  risk: string | null;
  email: string | null;
  phone: string | null;
  address_line1: string | null;
  city: string | null;
};

async function chaseCustomers(
  db: Kysely<LedgerSchema>,
  rows: readonly CustomerRow[],
  first: string,
  last: string,
): Promise<Map<string, ChaseCustomer>> {
  const stops = await db
    .selectFrom("contact_stops")
    .select(["customer_id", "channel"])
    .where("customer_id", ">=", first)
    .where("customer_id", "<=", last)
    .execute();
  const stopped = new Map<string, Set<string>>();
  for (const stop of stops) {
    const set = stopped.get(stop.customer_id) ?? new Set();
    set.add(stop.channel);
    stopped.set(stop.customer_id, set);
  }
  return new Map(
    rows.map((c) => {
      const stop = stopped.get(c.id);
      return [
        c.id,
        {
          id: c.id,
          kind: c.kind as CustomerKind,
          country: c.country,
          risk: c.risk as CustomerRisk | null,
          email: c.email,
          phone: c.phone,
          hasPostalAddress: Boolean(c.address_line1 && c.city),
          optedOut: new Set(CHANNELS.filter((channel: Channel) => stop?.has(channel))),
          ceased: stop?.has("*") ?? false,
        },
      ];
    }),
  );
}

/** The open invoices of the customers from `first` to `last`, oldest due first per customer. */
async function chaseInvoices(
  { db, arrays }: LedgerReader,
  asOf: CalendarDate,
  first: string,
  last: string,
  holds: ReadonlyMap<string, Hold[]>,
): Promise<ChaseInvoice[]> {
  const progress = await invoiceProgress(db, first, last);
  const rows = (await arrays(
    db
      .selectFrom("invoices")
      .select(["id", "number", "customer_id", "currency", "due_date", "open_minor"])
      .where("customer_id", ">=", first)
      .where("customer_id", "<=", last)
      // Written out, not bound: the store then knows the invoices_chase index covers it.
      .where(sql<boolean>`open_minor > 0`)
      .where("issue_date", "<=", asOf)
      .compile(),
  )) as [string, string, string, string, string, bigint][];
  // Sorted here rather than by the store, which need not return index order without ORDER BY.
  rows.sort(
    (a, b) => compareText(a[2], b[2]) || compareText(a[4], b[4]) || compareText(a[0], b[0]),
  );
  return rows.map(
    ([id, number, customerId, currency, dueDate, openMinor]): ChaseInvoice => ({
      id,
      number,
      customerId,
      currency,
      dueDate: dueDate as CalendarDate,
      openMinor,
      progress: progress.get(id) ?? NOT_STARTED,
      holds: holds.get(id) ?? [],
    }),
  );
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const NOT_STARTED: InvoiceProgress = { lastStepIndex: -1, lastContactOn: null, pending: false };

/** Per invoice: the last step taken, the day of the last contact, and whether one is waiting. */
async function invoiceProgress(
  db: Kysely<LedgerSchema>,
  first: string,
  last: string,
): Promise<Map<string, InvoiceProgress>> {
  const rows = await db
    .selectFrom("outbox")
    .innerJoin("outbox_items as item", "item.outbox_id", "outbox.id")
    .select(["item.invoice_id", "item.step_index", "outbox.status", "outbox.as_of"])
    .where("outbox.customer_id", ">=", first)
    .where("outbox.customer_id", "<=", last)
    .where("outbox.status", "in", [...TAKEN_STATUSES, ...PENDING_STATUSES])
    .execute();
  const progress = new Map<string, InvoiceProgress>();
  for (const row of rows) {
    const current = progress.get(row.invoice_id) ?? NOT_STARTED;
    const taken = (TAKEN_STATUSES as readonly string[]).includes(row.status);
    const asOf = row.as_of as CalendarDate;
    progress.set(row.invoice_id, {
      lastStepIndex: taken
        ? Math.max(current.lastStepIndex, Number(row.step_index))
        : current.lastStepIndex,
      lastContactOn:
        taken && (current.lastContactOn === null || asOf > current.lastContactOn)
          ? asOf
          : current.lastContactOn,
      pending: current.pending || !taken,
    });
  }
  return progress;
}

/** Open disputes, open promises and closures, per invoice. They bind whatever the run's as-of date. */
async function openHolds(db: Kysely<LedgerSchema>): Promise<Map<string, Hold[]>> {
  const holds = new Map<string, Hold[]>();
  const add = (invoiceId: string, hold: Hold) => {
    const list = holds.get(invoiceId) ?? [];
    list.push(hold);
    holds.set(invoiceId, list);
  };
  const disputes = await db
    .selectFrom("disputes")
    .select(["invoice_id", "reason"])
    .where("status", "=", "open")
    .execute();
  for (const d of disputes)
    add(d.invoice_id, { kind: "dispute", until: null, reason: `disputed: ${d.reason}` });
  const promises = await db
    .selectFrom("promises")
    .select(["invoice_id", "promised_on"])
    .where("status", "=", "open")
    .execute();
  for (const p of promises) {
    add(p.invoice_id, {
      kind: "promise",
      until: p.promised_on as CalendarDate,
      reason: `promised to pay by ${p.promised_on}`,
    });
  }
  const closures = await db
    .selectFrom("closures")
    .select(["invoice_id", "kind", "agency", "reason"])
    .execute();
  for (const c of closures) {
    add(c.invoice_id, {
      kind: c.kind === "placed" ? "placed" : "written_off",
      until: null,
      reason:
        c.kind === "placed" ? `placed with ${c.agency}: ${c.reason}` : `written off: ${c.reason}`,
    });
  }
  return holds;
}
