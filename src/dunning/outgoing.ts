import { type Kysely, sql } from "kysely";
import type { CustomersTable, LedgerSchema } from "../db/schema.js";
import { type CalendarDate, daysBetween } from "../kernel/calendar-date.js";
import {
  type CustomerKind,
  type CustomerRisk,
  postalAddressLines,
} from "../ledger/domain/customer.js";
import type { OutgoingContact } from "./channels/channel.js";
import { type PolicySet, policyFor, type Tone } from "./domain/policy.js";

/** A contact as planned: who, on which channel, and each invoice with its step. */
export type ContactDraft = {
  readonly outboxId: bigint;
  readonly key: string;
  readonly customerId: string;
  readonly channel: string;
  readonly asOf: CalendarDate;
  readonly items: readonly { invoiceId: string; stepId: string; tone: Tone }[];
  /** The items' invoices, where the caller read them already (oldest due first). */
  readonly invoices?: readonly ContactInvoice[];
  /** The customer, where the caller read it already. */
  readonly customer?: ContactCustomer;
};

/** What a contact needs to know of its customer. */
export type ContactCustomer = Pick<
  CustomersTable,
  | "id"
  | "name"
  | "kind"
  | "country"
  | "risk"
  | "email"
  | "phone"
  | "language"
  | "timezone"
  | "collector_id"
  | "address_line1"
  | "address_line2"
  | "postal_code"
  | "city"
>;

export const CONTACT_CUSTOMER_COLUMNS = [
  "id",
  "name",
  "kind",
  "country",
  "risk",
  "email",
  "phone",
  "language",
  "timezone",
  "collector_id",
  "address_line1",
  "address_line2",
  "postal_code",
  "city",
] as const satisfies readonly (keyof ContactCustomer)[];

/** An invoice as a contact shows it. */
export type ContactInvoice = {
  readonly id: string;
  readonly number: string;
  readonly issue_date: string;
  readonly due_date: string;
  readonly currency: string;
  readonly amount_minor: bigint;
  readonly open_minor: bigint;
};

/** The invoices a contact is about, as they are now, oldest due first. */
function invoicesByIds(
  db: Kysely<LedgerSchema>,
  ids: readonly string[],
): Promise<ContactInvoice[]> {
  return db
    .selectFrom("invoices")
    .select(["id", "number", "issue_date", "due_date", "currency", "amount_minor", "open_minor"])
    .where("id", "in", ids)
    .orderBy("due_date")
    .orderBy("id")
    .execute();
}

/**
 * The step ids of a stop confirmation's items, and the templates they are written with: never
 * ladder steps (their index, -1, is below all), and the one message a stop request lets
 * through: `opt-out-confirmation` for one channel, `cease-confirmation` when all contact ends.
 */
export const CONFIRMATION_STEPS = ["opt-out-confirmation", "cease-confirmation"] as const;
export type ConfirmationStep = (typeof CONFIRMATION_STEPS)[number];

function confirmationOf(draft: ContactDraft): ConfirmationStep | undefined {
  const step = draft.items[0]?.stepId as ConfirmationStep | undefined;
  return step && CONFIRMATION_STEPS.includes(step) && draft.items.every((i) => i.stepId === step)
    ? step
    : undefined;
}

export type LoadedContact =
  | { kind: "go"; contact: OutgoingContact }
  | { kind: "stopped"; rule: string; reason: string };

/**
 * A contact as it stands in the ledger now: invoices paid, disputed, promised, written off
 * or placed with an agency since planning drop out, and a stop request cancels the whole contact. Dispatch sends what this
 * returns; preview shows it.
 */
export async function contactAsItStands(
  db: Kysely<LedgerSchema>,
  draft: ContactDraft,
  policies: PolicySet | undefined,
): Promise<LoadedContact> {
  const customer =
    draft.customer ??
    (await db
      .selectFrom("customers")
      .select(CONTACT_CUSTOMER_COLUMNS)
      .where("id", "=", draft.customerId)
      .executeTakeFirstOrThrow());
  const ids = draft.items.map((i) => i.invoiceId);
  if (ids.length === 0) return { kind: "stopped", rule: "paid", reason: "nothing left to chase" };
  const invoices = draft.invoices ?? (await invoicesByIds(db, ids));
  // Stop requests, open disputes, promises not yet due and closures, in one query: it runs
  // for every contact that goes out.
  const flags = await db
    .selectFrom("contact_stops")
    .select(["channel as key", sql<string>`'stop'`.as("kind")])
    .where("customer_id", "=", draft.customerId)
    .unionAll(
      db
        .selectFrom("disputes")
        .select(["invoice_id as key", sql<string>`'hold'`.as("kind")])
        .where("status", "=", "open")
        .where("invoice_id", "in", ids),
    )
    .unionAll(
      db
        .selectFrom("promises")
        .select(["invoice_id as key", sql<string>`'hold'`.as("kind")])
        .where("status", "=", "open")
        .where("promised_on", ">=", draft.asOf)
        .where("invoice_id", "in", ids),
    )
    .unionAll(
      db
        .selectFrom("closures")
        .select(["invoice_id as key", sql<string>`'hold'`.as("kind")])
        .where("invoice_id", "in", ids),
    )
    .execute();
  const confirmation = confirmationOf(draft);
  const stops = confirmation ? [] : flags.filter((f) => f.kind === "stop").map((f) => f.key);
  if (stops.includes("*") && draft.channel !== "escalation") {
    return { kind: "stopped", rule: "cease", reason: "the customer asked that all contact stop" };
  }
  if (stops.includes(draft.channel)) {
    return {
      kind: "stopped",
      rule: "opt-out",
      reason: `the customer opted out of ${draft.channel}`,
    };
  }
  const onHold = new Set(flags.filter((f) => f.kind === "hold").map((f) => f.key));
  // A confirmation names every open invoice the stop covers, disputed or promised ones too.
  const still = invoices.filter((i) => i.open_minor > 0n && (confirmation || !onHold.has(i.id)));
  if (still.length === 0) {
    return invoices.every((i) => i.open_minor <= 0n)
      ? { kind: "stopped", rule: "paid", reason: "paid before it went out" }
      : {
          kind: "stopped",
          rule: "hold",
          reason:
            "every invoice on it was paid, disputed, promised, written off or placed before it went out",
        };
  }
  const step = new Map(draft.items.map((i) => [i.invoiceId, i]));
  const tone = Math.max(...still.map((i) => step.get(i.id)?.tone ?? 1)) as Tone;
  const firmest = draft.items.find(
    (i) => i.tone === tone && still.some((s) => s.id === i.invoiceId),
  );
  const policy =
    policies &&
    policyFor(policies, {
      kind: customer.kind as CustomerKind,
      country: customer.country,
      risk: customer.risk as CustomerRisk | null,
    });
  const policyStep = confirmation ? undefined : policy?.steps.find((s) => s.id === firmest?.stepId);
  const template = confirmation ?? policyStep?.template;
  return {
    kind: "go",
    contact: {
      outboxId: draft.outboxId,
      key: draft.key,
      channel: draft.channel,
      asOf: draft.asOf,
      tone,
      ...(template ? { template } : {}),
      ...(policyStep?.charges?.length && policy
        ? {
            chargeRequest: {
              kinds: policyStep.charges,
              reminderFeeAgreed: policy.reminderFeeAgreed,
            },
          }
        : {}),
      customer: {
        id: customer.id,
        name: customer.name,
        email: customer.email,
        phone: customer.phone,
        language: customer.language,
        kind: customer.kind,
        country: customer.country,
        timeZone: customer.timezone,
        collectorId: customer.collector_id,
        addressLines: postalAddressLines(customer),
      },
      invoices: still.map((i) => ({
        id: i.id,
        number: i.number,
        issueDate: i.issue_date as CalendarDate,
        dueDate: i.due_date as CalendarDate,
        openMinor: i.open_minor,
        invoicedMinor: i.amount_minor,
        currency: i.currency,
        stepId: step.get(i.id)?.stepId ?? "",
        tone: step.get(i.id)?.tone ?? 1,
        daysOverdue: daysBetween(i.due_date as CalendarDate, draft.asOf),
      })),
    },
  };
}
