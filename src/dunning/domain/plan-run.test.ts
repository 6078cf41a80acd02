import { describe, expect, it } from "vitest";
import { addDays, type CalendarDate, calendarDate } from "../../kernel/calendar-date.js";
import { type ChaseCustomer, type ChaseInvoice, type Hold, planRun } from "./plan-run.js";
import { DEFAULT_POLICY, type Policy, parsePolicy, policyFor } from "./policy.js";

const LADDER = policy({
  name: "test",
  minGapDays: 5,
  steps: [
    { id: "s1", offsetDays: 1, channels: ["email"], tone: 1 },
    { id: "s2", offsetDays: 10, channels: ["email"], tone: 2 },
    { id: "s3", offsetDays: 20, channels: ["email", "letter"], tone: 3 },
  ],
});

function policy(json: unknown): Policy {
  const parsed = parsePolicy(json);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.policy;
}

const customer = (overrides: Partial<ChaseCustomer> = {}): ChaseCustomer => ({
  id: "C1",
  country: "SE",
  kind: "business",
  email: "ar@kund.example",
  phone: "+46701740605",
  hasPostalAddress: true,
  optedOut: new Set(),
  ceased: false,
  ...overrides,
});

const invoice = (
  id: string,
  due: string,
  lastStepIndex = -1,
  lastContactOn: string | null = null,
  holds: Hold[] = [],
): ChaseInvoice => ({
  id,
  number: id,
  customerId: "C1",
  currency: "SEK",
  dueDate: calendarDate(due),
  openMinor: 10_000n,
  progress: {
    lastStepIndex,
    lastContactOn: lastContactOn ? calendarDate(lastContactOn) : null,
    pending: false,
  },
  holds,
});

const NOT_STARTED = { lastStepIndex: -1, lastContactOn: null, pending: false };
const everyDay = () => true;
const weekdays = (_country: string, date: CalendarDate) =>
  ![0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());

function plan(
  invoices: ChaseInvoice[],
  asOf: string,
  overrides: Partial<Parameters<typeof planRun>[0]> = {},
) {
  return planRun({
    asOf: calendarDate(asOf),
    customers: new Map([["C1", customer()]]),
    invoices,
    policyFor: () => LADDER,
    isBusinessDay: everyDay,
    ...overrides,
  });
}

describe("planRun", () => {
  it("sends nothing before the first step's day and the first step on it", () => {
    expect(plan([invoice("I1", "2026-03-01")], "2026-03-01").contacts).toEqual([]);
    const { contacts } = plan([invoice("I1", "2026-03-01")], "2026-03-02");
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ customerId: "C1", channel: "email", tone: 1 });
    expect(contacts[0]?.items.map((i) => i.stepId)).toEqual(["s1"]);
  });

  it("takes one step per run after missed runs, never skipping one", () => {
    // Forty days late and nothing sent yet: the friendly step comes first.
    const first = plan([invoice("I1", "2026-03-01")], "2026-04-10");
    expect(first.contacts[0]?.items[0]?.stepId).toBe("s1");
    // The next day the gap holds the second step back; five days on it goes.
    expect(plan([invoice("I1", "2026-03-01", 0, "2026-04-10")], "2026-04-11").contacts).toEqual([]);
    const second = plan([invoice("I1", "2026-03-01", 0, "2026-04-10")], "2026-04-15");
    expect(second.contacts[0]?.items[0]?.stepId).toBe("s2");
  });

  it("plans nothing new for an invoice whose last contact is still on its way out", () => {
    const waiting = { ...invoice("A", "2026-03-01"), progress: { ...NOT_STARTED, pending: true } };
    expect(plan([waiting], "2026-03-20").contacts).toEqual([]);
    expect(plan([invoice("A", "2026-03-01")], "2026-03-20").contacts).toHaveLength(1);
  });

  it("sends nothing after the last step", () => {
    expect(plan([invoice("I1", "2026-03-01", 2, "2026-03-21")], "2027-01-01").contacts).toEqual([]);
  });

  it("writes one message per customer and channel, at the firmest tone among its invoices", () => {
    const { contacts } = plan(
      [invoice("I1", "2026-03-01", 1, "2026-03-11"), invoice("I2", "2026-03-20")],
      "2026-03-22",
    );
    const email = contacts.find((c) => c.channel === "email");
    expect(email?.tone).toBe(3);
    expect(email?.items.map((i) => [i.invoiceId, i.stepId])).toEqual([
      ["I1", "s3"],
      ["I2", "s1"],
    ]);
    expect(contacts.find((c) => c.channel === "letter")?.items.map((i) => i.invoiceId)).toEqual([
      "I1",
    ]);
  });

  it("holds invoices under dispute, an open promise, or a cease request, and says why", () => {
    const promise: Hold = {
      kind: "promise",
      until: calendarDate("2026-03-20"),
      reason: "promised to pay by 2026-03-20",
    };
    const dispute: Hold = { kind: "dispute", until: null, reason: "disputed: goods damaged" };
    const held = plan(
      [
        invoice("I1", "2026-03-01", -1, null, [promise]),
        invoice("I2", "2026-03-01", -1, null, [dispute]),
      ],
      "2026-03-10",
    );
    expect(held.contacts).toEqual([]);
    expect(held.notChased.map((n) => [n.invoiceId, n.rule])).toEqual([
      ["I1", "promise"],
      ["I2", "dispute"],
    ]);
    // A promise not kept: the ladder resumes where it stopped the day after the promised date.
    expect(
      plan([invoice("I1", "2026-03-01", -1, null, [promise])], "2026-03-21").contacts[0]?.items[0]
        ?.stepId,
    ).toBe("s1");
    const ceased = plan([invoice("I1", "2026-03-01")], "2026-03-10", {
      customers: new Map([["C1", customer({ ceased: true })]]),
    });
    expect(ceased.contacts).toEqual([]);
    expect(ceased.notChased[0]?.rule).toBe("cease");
  });

  it("falls back to a letter when the customer has no e-mail address or opted out of e-mail", () => {
    for (const c of [customer({ email: null }), customer({ optedOut: new Set(["email"]) })]) {
      const { contacts } = plan([invoice("I1", "2026-03-01")], "2026-03-02", {
        customers: new Map([["C1", c]]),
      });
      expect(contacts.map((x) => [x.channel, x.fallbackFrom])).toEqual([["letter", "email"]]);
    }
  });

  it("moves a step that falls on a weekend to the next business day", () => {
    const weekdayPolicy = { ...LADDER, businessDaysOnly: true };
    // Due Friday 2026-03-06: step one falls on Saturday the 7th and goes out Monday the 9th.
    const options = { policyFor: () => weekdayPolicy, isBusinessDay: weekdays };
    expect(plan([invoice("I1", "2026-03-06")], "2026-03-08", options).contacts).toEqual([]);
    expect(plan([invoice("I1", "2026-03-06")], "2026-03-09", options).contacts).toHaveLength(1);
  });

  it("skips paid invoices silently and invoices under the step's minimum with a reason", () => {
    const paid = { ...invoice("I1", "2026-03-01"), openMinor: 0n };
    expect(plan([paid], "2026-03-10")).toEqual({ contacts: [], escalations: [], notChased: [] });
    const small = policy({
      name: "small",
      minGapDays: 0,
      steps: [
        { id: "s1", offsetDays: 1, channels: ["email"], tone: 1, minBalance: { SEK: "500.00" } },
      ],
    });
    const result = plan([invoice("I1", "2026-03-01")], "2026-03-10", { policyFor: () => small });
    expect(result.notChased.map((n) => n.rule)).toEqual(["min-balance"]);
  });

  it("proposes escalation as its own outcome, not a message", () => {
    const { contacts, escalations } = planRun({
      asOf: addDays(calendarDate("2026-01-01"), 100),
      customers: new Map([["C1", customer()]]),
      invoices: [invoice("I1", "2026-01-01", 4, "2026-02-20")],
      policyFor: () => DEFAULT_POLICY,
      isBusinessDay: everyDay,
    });
    expect(contacts).toEqual([]);
    expect(escalations.map((e) => e.items.map((i) => i.stepId))).toEqual([["escalate"]]);
  });
});

describe("parsePolicy", () => {
  it("reads the contract's policy format with defaults", () => {
    const parsed = parsePolicy({
      name: "p",
      minGapDays: 5,
      steps: [{ id: "s1", offsetDays: 1, channels: ["email"], tone: 1 }],
    });
    expect(parsed).toMatchObject({
      ok: true,
      policy: { businessDaysOnly: false, steps: [{ requiresApproval: false }] },
    });
  });

  it("names every problem with its path", () => {
    const parsed = parsePolicy({
      name: "p",
      minGapDays: -1,
      steps: [
        { id: "s1", offsetDays: 10, channels: ["fax"], tone: 5 },
        { id: "s1", offsetDays: 5, channels: ["email"], tone: 1 },
      ],
    });
    expect(parsed.ok).toBe(false);
    const paths = parsed.ok ? [] : parsed.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(["minGapDays", "steps.0.channels.0", "steps.0.tone"]),
    );
  });

  it("ships a default policy that follows the playbook", () => {
    expect(DEFAULT_POLICY.steps.map((s) => [s.channels.join("+"), s.tone])).toEqual([
      ["email", 1],
      ["email", 2],
      ["call", 2],
      ["email+letter", 3],
      ["certified_letter", 4],
      ["", 4],
    ]);
    expect(parsePolicy(JSON.parse(JSON.stringify(DEFAULT_POLICY))).ok).toBe(true);
  });
});

describe("policyFor", () => {
  const ladder = (name: string, segment?: Policy["segment"]): Policy => ({
    ...DEFAULT_POLICY,
    name,
    ...(segment ? { segment } : {}),
  });
  const set = {
    fallback: ladder("default"),
    segmented: [
      ladder("consumers", { kind: "consumer" as const }),
      ladder("italy", { countries: ["IT"] }),
      ladder("italian-consumers", { kind: "consumer" as const, countries: ["IT"] }),
      ladder("high-risk", { risks: ["high" as const] }),
      ladder("risky-italian-consumers", {
        kind: "consumer" as const,
        countries: ["IT"],
        risks: ["medium" as const, "high" as const],
      }),
    ],
  };

  it("picks the most specific matching segment, else the default", () => {
    expect(policyFor(set, { kind: "consumer", country: "IT" }).name).toBe("italian-consumers");
    expect(policyFor(set, { kind: "business", country: "IT" }).name).toBe("italy");
    expect(policyFor(set, { kind: "consumer", country: "SE" }).name).toBe("consumers");
    expect(policyFor(set, { kind: "business", country: "SE" }).name).toBe("default");
  });

  it("counts a risk rating like kind and country; an unrated customer is in no risk segment", () => {
    expect(policyFor(set, { kind: "business", country: "SE", risk: "high" }).name).toBe(
      "high-risk",
    );
    expect(policyFor(set, { kind: "consumer", country: "IT", risk: "medium" }).name).toBe(
      "risky-italian-consumers",
    );
    expect(policyFor(set, { kind: "consumer", country: "IT", risk: "low" }).name).toBe(
      "italian-consumers",
    );
    expect(policyFor(set, { kind: "business", country: "SE", risk: null }).name).toBe("default");
  });
});
