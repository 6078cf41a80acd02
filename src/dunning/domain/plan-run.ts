import { addDays, type CalendarDate, daysBetween } from "../../kernel/calendar-date.js";
import { OverdueError } from "../../kernel/errors.js";
import { currency, parseAmount } from "../../kernel/money.js";
import type { CustomerKind, CustomerRisk } from "../../ledger/domain/customer.js";
import type { Channel, Policy, PolicyStep, Tone } from "./policy.js";

/** Where an invoice stands on its ladder: what was actually sent, not what was planned. */
export type InvoiceProgress = {
  /** Index of the last step sent for the invoice; -1 before the first. */
  readonly lastStepIndex: number;
  readonly lastContactOn: CalendarDate | null;
  /** A contact about the invoice is still on its way out: nothing new until it has gone. */
  readonly pending: boolean;
};

/** Something that stops the chase for an invoice, until a date or for good. */
export type Hold = {
  readonly kind: "dispute" | "promise" | "written_off" | "placed" | "cease";
  /** The hold lifts after this day (a promise's date); null holds until it is closed. */
  readonly until: CalendarDate | null;
  readonly reason: string;
};

export type ChaseInvoice = {
  readonly id: string;
  readonly number: string;
  readonly customerId: string;
  readonly currency: string;
  readonly dueDate: CalendarDate;
  readonly openMinor: bigint;
  readonly progress: InvoiceProgress;
  readonly holds: readonly Hold[];
};

export type ChaseCustomer = {
  readonly id: string;
  readonly kind: CustomerKind;
  readonly country: string;
  readonly risk?: CustomerRisk | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly hasPostalAddress: boolean;
  /** Channels the customer asked not to be contacted on. */
  readonly optedOut: ReadonlySet<Channel>;
  /** The customer asked that all contact stop. */
  readonly ceased: boolean;
};

export type PlannedItem = {
  readonly invoiceId: string;
  readonly number: string;
  readonly stepId: string;
  readonly stepIndex: number;
  readonly tone: Tone;
  readonly openMinor: bigint;
  readonly currency: string;
};

/** One message (or call task) to one customer on one channel, listing every invoice chased. */
export type PlannedContact = {
  readonly customerId: string;
  readonly channel: Channel;
  /** The firmest tone among the items. */
  readonly tone: Tone;
  readonly items: readonly PlannedItem[];
  readonly needsApproval: boolean;
  /** Why the channel differs from the step's, e.g. no e-mail address on file. */
  readonly fallbackFrom?: Channel;
};

export type Escalation = { readonly customerId: string; readonly items: readonly PlannedItem[] };

export type NotChased = {
  readonly customerId: string;
  readonly invoiceId: string;
  readonly rule: string;
  readonly reason: string;
};

export type RunPlan = {
  readonly contacts: readonly PlannedContact[];
  readonly escalations: readonly Escalation[];
  /** Invoices with a step due that were held back, each with the rule and a reason. */
  readonly notChased: readonly NotChased[];
};

export type PlanInput = {
  readonly asOf: CalendarDate;
  readonly customers: ReadonlyMap<string, ChaseCustomer>;
  readonly invoices: Iterable<ChaseInvoice>;
  readonly policyFor: (customer: ChaseCustomer) => Policy;
  /** The debtor country's calendar: false on weekends and public holidays. */
  readonly isBusinessDay: (country: string, date: CalendarDate) => boolean;
};

/**
 * Decides what the daily run sends. For each open invoice the next step is the one after the
 * last step actually sent; it is due once its day has come (moved to the next business day
 * where the policy says so) and minGapDays have passed since the last contact about the
 * invoice. One step per invoice per run, so after missed runs the ladder catches up a step at
 * a time instead of bursting or skipping. Due steps are grouped into one contact per customer
 * and channel, at the firmest tone among them.
 */
export function planRun(input: PlanInput): RunPlan {
  const contacts = new Map<
    string,
    {
      contact: Omit<PlannedContact, "items" | "tone" | "needsApproval">;
      items: PlannedItem[];
      needsApproval: boolean;
    }
  >();
  const escalations = new Map<string, PlannedItem[]>();
  const notChased: NotChased[] = [];
  const stepDays = new Map<string, CalendarDate>();

  for (const invoice of input.invoices) {
    if (invoice.openMinor <= 0n || invoice.progress.pending) continue;
    const customer = input.customers.get(invoice.customerId);
    if (!customer) continue;
    const policy = input.policyFor(customer);
    const stepIndex = invoice.progress.lastStepIndex + 1;
    const step = policy.steps[stepIndex];
    if (!step) continue; // the ladder is done: nothing more is sent for this invoice
    // Many invoices share a due date: each step day is worked out once per country and date.
    const dayKey = `${policy.name}\u0000${stepIndex}\u0000${customer.country}\u0000${invoice.dueDate}`;
    let dueOn = stepDays.get(dayKey);
    if (dueOn === undefined) {
      dueOn = stepDay(invoice.dueDate, step, policy, customer.country, input.isBusinessDay);
      stepDays.set(dayKey, dueOn);
    }
    if (input.asOf < dueOn) continue;

    const skip = (rule: string, reason: string) =>
      notChased.push({ customerId: customer.id, invoiceId: invoice.id, rule, reason });
    const hold = activeHold(invoice.holds, input.asOf);
    if (customer.ceased) {
      skip("cease", "the customer asked that all contact stop");
      continue;
    }
    if (hold) {
      skip(hold.kind, hold.reason);
      continue;
    }
    const last = invoice.progress.lastContactOn;
    if (last && daysBetween(last, input.asOf) < policy.minGapDays) {
      skip(
        "min-gap",
        `last contact ${last}; the policy waits ${policy.minGapDays} days between contacts`,
      );
      continue;
    }
    const minimum = step.minBalance?.[invoice.currency];
    if (minimum !== undefined && invoice.openMinor < minorOf(minimum, invoice.currency)) {
      skip("min-balance", `open balance below ${minimum} ${invoice.currency} for step ${step.id}`);
      continue;
    }

    const item: PlannedItem = {
      invoiceId: invoice.id,
      number: invoice.number,
      stepId: step.id,
      stepIndex,
      tone: step.tone,
      openMinor: invoice.openMinor,
      currency: invoice.currency,
    };
    if (step.escalate) {
      const list = escalations.get(customer.id) ?? [];
      list.push(item);
      escalations.set(customer.id, list);
    }
    for (const wanted of step.channels) {
      const channel = reachableChannel(wanted, customer);
      if (!channel) {
        skip("no-channel", `no way to reach the customer by ${wanted} or a letter`);
        continue;
      }
      const key = `${customer.id}\u0000${channel}`;
      const group = contacts.get(key) ?? {
        contact: {
          customerId: customer.id,
          channel,
          ...(channel !== wanted ? { fallbackFrom: wanted } : {}),
        },
        items: [],
        needsApproval: false,
      };
      if (!group.items.some((i) => i.invoiceId === item.invoiceId)) group.items.push(item);
      group.needsApproval ||= step.requiresApproval;
      contacts.set(key, group);
    }
  }

  return {
    contacts: [...contacts.values()].map(({ contact, items, needsApproval }) => ({
      ...contact,
      items,
      needsApproval,
      tone: Math.max(...items.map((i) => i.tone)) as Tone,
    })),
    escalations: [...escalations.entries()].map(([customerId, items]) => ({ customerId, items })),
    notChased,
  };
}

/** The day a step becomes due for an invoice. */
export function stepDay(
  dueDate: CalendarDate,
  step: PolicyStep,
  policy: Policy,
  country: string,
  isBusinessDay: (country: string, date: CalendarDate) => boolean,
): CalendarDate {
  let day = addDays(dueDate, step.offsetDays);
  if (policy.businessDaysOnly) {
    // A year of consecutive holidays does not exist; the bound only guards a broken calendar.
    for (let tries = 0; tries < 366 && !isBusinessDay(country, day); tries++) day = addDays(day, 1);
  }
  return day;
}

function activeHold(holds: readonly Hold[], asOf: CalendarDate): Hold | undefined {
  return holds.find((hold) => hold.until === null || asOf <= hold.until);
}

/**
 * The channel a contact actually goes out on: the step's own when the customer can be
 * reached on it and has not opted out, else a letter to the postal address.
 */
function reachableChannel(wanted: Channel, customer: ChaseCustomer): Channel | undefined {
  const reachable = (channel: Channel) => {
    if (customer.optedOut.has(channel)) return false;
    switch (channel) {
      case "email":
        return customer.email !== null;
      case "sms":
      case "call":
        return customer.phone !== null;
      case "letter":
      case "certified_letter":
        return customer.hasPostalAddress;
    }
  };
  if (reachable(wanted)) return wanted;
  return wanted !== "certified_letter" && reachable("letter") ? "letter" : undefined;
}

/** A policy amount ("60.00") in minor units of the invoice's currency. */
function minorOf(decimal: string, code: string): bigint {
  const parsed = parseAmount(decimal, currency(code));
  if (!parsed.ok)
    throw new OverdueError("bad_policy_amount", `${decimal} ${code}: ${parsed.problem}`);
  return parsed.value;
}
