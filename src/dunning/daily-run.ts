import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import type { LedgerSchema } from "../db/schema.js";
import type { CalendarDate } from "../kernel/calendar-date.js";
import { promiseKeptEntry } from "./account-records.js";
import { type LogEntry, writeLog } from "./contact-log.js";
import type { PlannedItem, RunPlan } from "./domain/plan-run.js";
import type { PolicySet } from "./domain/policy.js";
import { promiseOutcome } from "./domain/promise.js";
import { planInChunks } from "./plan-daily-run.js";
import { countPlan, noCounts, type RunCounts } from "./run-counts.js";

export type RunOptions = {
  readonly asOf: CalendarDate;
  /** The instant the run treats as now, ISO 8601. */
  readonly at: string;
  readonly policies: PolicySet;
  readonly isBusinessDay: (country: string, date: CalendarDate) => boolean;
};

export type RecordedRun = {
  readonly runId: bigint;
  readonly counts: RunCounts;
  /** Contacts this run added to the outbox; a rerun of the same day adds none. */
  readonly planned: number;
  readonly brokenPromises: number;
};

/** Holds that stop the chase for a reason worth a line in the customer's log. */
const LOGGED_HOLDS = new Set(["dispute", "promise", "cease", "written_off", "placed"]);

/**
 * Plans the day and puts every contact in the outbox, in one transaction with the run's
 * record, under a lock so only one process plans at a time. Outbox rows are keyed by day,
 * customer and channel, so a second run of the same day plans nothing new.
 */
export async function recordRun(database: Database, options: RunOptions): Promise<RecordedRun> {
  return database.exclusive(async (db) => {
    const brokenPromises = await decidePromises(db, options);
    const run = await db
      .insertInto("runs")
      .values({
        as_of: options.asOf,
        at: options.at,
        policy: options.policies.fallback.name,
        planned: 0n,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const counts = noCounts();
    let planned = 0;
    const reader = { db, arrays: database.arrays };
    const parts = planInChunks(reader, options.asOf, options.policies, options.isBusinessDay);
    for await (const part of parts) {
      countPlan(counts, part);
      planned += await addToOutbox(db, run.id, part, options);
      await logHeldBack(db, part, options);
    }
    await db
      .updateTable("runs")
      .set({ planned: BigInt(planned) })
      .where("id", "=", run.id)
      .execute();
    return { runId: run.id, counts, planned, brokenPromises };
  });
}

/** Invoices a hold kept from their due step, once per day and rule. */
async function logHeldBack(db: Kysely<LedgerSchema>, plan: RunPlan, options: RunOptions) {
  await writeLog(
    db,
    plan.notChased
      .filter(
        (n) => LOGGED_HOLDS.has(n.rule) || n.rule === "min-balance" || n.rule === "no-channel",
      )
      .map(
        (n): LogEntry => ({
          at: options.at,
          customerId: n.customerId,
          invoiceId: n.invoiceId,
          status: "refused",
          rule: n.rule,
          reason: n.reason,
          dedupeKey: `${options.asOf}/${n.invoiceId}/${n.rule}`,
        }),
      ),
  );
}

type OutboxDraft = {
  key: string;
  customerId: string;
  channel: string;
  fallbackFrom: string | null;
  tone: number;
  status: "planned" | "awaiting_approval";
  items: readonly PlannedItem[];
};

async function addToOutbox(
  db: Kysely<LedgerSchema>,
  runId: bigint,
  plan: RunPlan,
  options: RunOptions,
): Promise<number> {
  const drafts: OutboxDraft[] = [
    ...plan.contacts.map((c) => ({
      key: outboxKey(options.asOf, c.channel, c.customerId),
      customerId: c.customerId,
      channel: c.channel,
      fallbackFrom: c.fallbackFrom ?? null,
      tone: c.tone,
      status: c.needsApproval ? ("awaiting_approval" as const) : ("planned" as const),
      items: c.items,
    })),
    ...plan.escalations.map((e) => ({
      key: outboxKey(options.asOf, "escalation", e.customerId),
      customerId: e.customerId,
      channel: "escalation",
      fallbackFrom: null,
      tone: Math.max(...e.items.map((i) => i.tone)),
      status: "planned" as const,
      items: e.items,
    })),
  ];
  let planned = 0;
  // 11 columns a row: 500 rows stay far below either store's parameter limit.
  for (let i = 0; i < drafts.length; i += 500) {
    const chunk = drafts.slice(i, i + 500);
    const inserted = await db
      .insertInto("outbox")
      .values(
        chunk.map((d) => ({
          key: d.key,
          run_id: runId,
          as_of: options.asOf,
          customer_id: d.customerId,
          channel: d.channel,
          fallback_from: d.fallbackFrom,
          tone: d.tone,
          status: d.status,
          attempts: 0,
          not_before: options.at,
          planned_at: options.at,
        })),
      )
      .onConflict((oc) => oc.column("key").doNothing())
      .returning(["id", "key"])
      .execute();
    const byKey = new Map(chunk.map((d) => [d.key, d]));
    const items = inserted.flatMap(({ id, key }) =>
      (byKey.get(key)?.items ?? []).map((item) => ({
        outbox_id: id,
        invoice_id: item.invoiceId,
        step_id: item.stepId,
        step_index: item.stepIndex,
        tone: item.tone,
      })),
    );
    for (let j = 0; j < items.length; j += 1000) {
      await db
        .insertInto("outbox_items")
        .values(items.slice(j, j + 1000))
        .execute();
    }
    await writeLog(
      db,
      inserted.map(({ id, key }) => plannedEntry(id, byKey.get(key) as OutboxDraft, options.at)),
    );
    planned += inserted.length;
  }
  return planned;
}

function plannedEntry(outboxId: bigint, draft: OutboxDraft, at: string): LogEntry {
  const invoices = draft.items.map((i) => `${i.number} (${i.stepId})`).join(", ");
  const waiting = draft.status === "awaiting_approval";
  return {
    at,
    customerId: draft.customerId,
    outboxId,
    channel: draft.channel,
    status: "planned",
    rule: waiting ? "approval" : draft.fallbackFrom ? "fallback" : "ladder",
    reason:
      draft.channel === "escalation"
        ? `proposed to the collections lead for escalation: ${invoices}`
        : `${invoices}${draft.fallbackFrom ? `; a letter because the customer cannot be reached by ${draft.fallbackFrom}` : ""}${waiting ? `; waits for approval (overdue approve ${outboxId})` : ""}`,
  };
}

/** The outbox key: one contact per customer and channel per business day. */
function outboxKey(asOf: CalendarDate, channel: string, customerId: string): string {
  return `${asOf}/${channel}/${customerId}`;
}

/**
 * Settles open promises whose day has passed: kept ones close, broken or partly kept ones
 * close too (the ladder resumes where it stopped) and give the collector a task.
 */
async function decidePromises(db: Kysely<LedgerSchema>, options: RunOptions): Promise<number> {
  const open = await db
    .selectFrom("promises")
    .innerJoin("invoices", "invoices.id", "promises.invoice_id")
    .innerJoin("customers", "customers.id", "promises.customer_id")
    .select([
      "promises.id",
      "promises.invoice_id",
      "promises.customer_id",
      "promises.promised_on",
      "promises.amount_minor",
      "promises.open_minor_at_promise",
      "invoices.open_minor",
      "invoices.number",
      "customers.collector_id",
    ])
    .where("promises.status", "=", "open")
    .execute();
  let broken = 0;
  for (const p of open) {
    const outcome = promiseOutcome(
      {
        promisedOn: p.promised_on as CalendarDate,
        amountMinor: p.amount_minor,
        openAtPromise: p.open_minor_at_promise,
      },
      p.open_minor,
      options.asOf,
    );
    if (outcome === "open") continue;
    await db
      .updateTable("promises")
      .set({ status: outcome, decided_at: options.at })
      .where("id", "=", p.id)
      .execute();
    if (outcome === "kept") {
      await writeLog(db, [promiseKeptEntry(p, options.at)]);
      continue;
    }
    broken++;
    const what = outcome === "broken" ? "broken" : "partly kept";
    await db
      .insertInto("tasks")
      .values({
        key: `broken-promise/${p.id}`,
        kind: "broken_promise",
        customer_id: p.customer_id,
        collector_id: p.collector_id,
        promise_id: p.id,
        invoice_ids: JSON.stringify([p.invoice_id]),
        script: `The promise to pay invoice ${p.number} by ${p.promised_on} was ${what}. Call the customer, ask what happened and agree a new date.`,
        status: "open",
        created_at: options.at,
      })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
    await writeLog(db, [
      {
        at: options.at,
        customerId: p.customer_id,
        invoiceId: p.invoice_id,
        status: "planned",
        rule: "broken-promise",
        reason: `the promise to pay ${p.number} by ${p.promised_on} was ${what}: the reminders resume and the collector has a task`,
      },
    ]);
  }
  return broken;
}
