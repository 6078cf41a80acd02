import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { type Kysely, sql } from "kysely";
import type { RuleProfiles } from "../compliance/domain/profile.js";
import {
  type ComplianceRules,
  loadComplianceRules,
  prepareOutgoing,
} from "../compliance/prepare-outgoing.js";
import { recordValidationNotices } from "../compliance/validation-notices.js";
import type { Database } from "../db/database.js";
import type { LedgerSchema, OutboxTable } from "../db/schema.js";
import type { CalendarDate } from "../kernel/calendar-date.js";
import { OverdueError } from "../kernel/errors.js";
import type { ChannelAdapter, Delivery, OutgoingContact } from "./channels/channel.js";
import { type LogEntry, SYSTEM_ACTOR, writeLog } from "./contact-log.js";
import type { PolicySet, Tone } from "./domain/policy.js";
import { CONTACT_CUSTOMER_COLUMNS, type ContactCustomer, contactAsItStands } from "./outgoing.js";

export type DispatchOptions = {
  /** The instant dispatch treats as now: contacts whose not_before has come go out. */
  readonly now: string;
  /** The adapters that can send; rows for a channel without one wait in the outbox. */
  readonly channels: Readonly<Record<string, ChannelAdapter | undefined>>;
  /** The policy, for each step's template. */
  readonly policies?: PolicySet;
  /** How many contacts are on their way out at once. */
  readonly concurrency?: number;
  /** The guard's rule profiles; the shipped (or OVERDUE_RULES_DIR) ones when not given. */
  readonly rules?: RuleProfiles;
};

export type DispatchReport = {
  sent: number;
  failed: number;
  retrying: number;
  cancelled: number;
  inDoubt: number;
  /** Held back by the guard until a lawful time (contact window, frequency cap). */
  delayed: number;
};

/** Temporary failures are retried after these waits, then the contact fails. */
const BACKOFF_MINUTES = [1, 5, 30, 120, 480];
/** A claim older than this whose owner cannot be checked is taken to be dead. */
const CLAIM_LEASE_MS = 15 * 60_000;

/**
 * Sends what is due in the outbox. Each contact is claimed (on PostgreSQL with SKIP LOCKED,
 * so several workers share the work), re-checked against the ledger as it is now, delivered,
 * and its outcome recorded before anything else. A crash between delivery and that record
 * leaves the row claimed by a dead worker: a later dispatch marks it in doubt rather than
 * send an e-mail or SMS twice, and simply redoes an idempotent channel (letter file, task).
 */
export async function dispatch(
  database: Database,
  options: DispatchOptions,
): Promise<DispatchReport> {
  const worker = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const report: DispatchReport = {
    sent: 0,
    failed: 0,
    retrying: 0,
    cancelled: 0,
    inDoubt: 0,
    delayed: 0,
  };
  report.inDoubt = await recoverAbandonedClaims(database, options);
  const channels = Object.entries(options.channels)
    .filter(([, adapter]) => adapter !== undefined)
    .map(([name]) => name);
  if (channels.length === 0) return report;
  const compliance = await loadComplianceRules(options.rules);

  const slot = async () => {
    for (;;) {
      const row = await claimOne(database, worker, channels, options.now);
      if (!row) return;
      const outcome = await deliverOne(database, row, options, compliance);
      report[outcome]++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 5 }, slot));
  return report;
}

type ClaimedRow = Pick<
  OutboxTable,
  "key" | "as_of" | "customer_id" | "channel" | "tone" | "attempts" | "fallback_from" | "run_id"
> & { id: bigint; claimed_by: string };

async function claimOne(
  database: Database,
  worker: string,
  channels: readonly string[],
  now: string,
): Promise<ClaimedRow | undefined> {
  const { db, dialect } = database;
  const next = db
    .selectFrom("outbox")
    .select("id")
    .where("status", "=", "planned")
    .where("not_before", "<=", now)
    .where("channel", "in", channels)
    // The order of the outbox_due index: the next row is the first entry, whatever the size of
    // the outbox (ordering by id alone sorted or walked every row still waiting, each claim).
    .orderBy("not_before")
    .orderBy("id")
    .limit(1);
  // `id = (subquery)` runs the subquery once. PostgreSQL locks the row it picks, skipping rows
  // other workers hold; SQLite has no row locks (its writers take turns) and rejects the clause.
  const pick = dialect.claimsWithSkipLocked ? next.forUpdate().skipLocked() : next;
  const row = await db
    .updateTable("outbox")
    .set((eb) => ({
      status: "sending",
      claimed_by: worker,
      claimed_at: new Date().toISOString(),
      attempts: eb("attempts", "+", 1),
    }))
    .where("id", "=", pick)
    .where("status", "=", "planned")
    .returning(CLAIMED_COLUMNS)
    .executeTakeFirst();
  return row as ClaimedRow | undefined;
}

const CLAIMED_COLUMNS = [
  "id",
  "key",
  "as_of",
  "customer_id",
  "channel",
  "tone",
  "attempts",
  "fallback_from",
  "run_id",
  "claimed_by",
] as const;

type Outcome = keyof DispatchReport;

async function deliverOne(
  { db, dialect }: Database,
  row: ClaimedRow,
  options: DispatchOptions,
  compliance: ComplianceRules,
): Promise<Outcome> {
  const at = options.now;
  const base = { at, customerId: row.customer_id, outboxId: row.id, channel: row.channel };
  // The items with their invoices as they are now, and the customer, in one query.
  const rows = await db
    .selectFrom("outbox_items as item")
    .innerJoin("invoices", "invoices.id", "item.invoice_id")
    .innerJoin("customers as c", "c.id", "invoices.customer_id")
    .select([
      "item.step_id",
      "item.tone",
      "invoices.id",
      "invoices.number",
      "invoices.issue_date",
      "invoices.due_date",
      "invoices.currency",
      "invoices.amount_minor",
      "invoices.open_minor",
    ])
    .select(CONTACT_CUSTOMER_COLUMNS.map((column) => `c.${column} as customer_${column}` as const))
    .where("item.outbox_id", "=", row.id)
    .orderBy("invoices.due_date")
    .orderBy("invoices.id")
    .execute();
  const items = rows.map((r) => ({
    invoiceId: r.id,
    stepId: r.step_id,
    tone: Number(r.tone) as Tone,
  }));
  const contact = await contactAsItStands(
    db,
    {
      outboxId: row.id,
      key: row.key,
      customerId: row.customer_id,
      channel: row.channel,
      asOf: row.as_of as CalendarDate,
      items,
      invoices: rows,
      ...(rows[0] ? { customer: customerOf(rows[0]) } : {}),
    },
    options.policies,
  );
  if (contact.kind === "stopped") {
    await finish(db, row, { status: "cancelled", last_error: contact.reason });
    await writeLog(db, [
      { ...base, status: "refused", rule: contact.rule, reason: contact.reason },
    ]);
    return "cancelled";
  }
  const prepared = await prepareOutgoing(db, compliance, contact.contact, at);
  if (prepared.kind === "refuse") {
    await finish(db, row, { status: "cancelled", last_error: prepared.reason });
    await writeLog(db, [
      { ...base, status: "refused", rule: prepared.rule, reason: prepared.reason },
    ]);
    return "cancelled";
  }
  if (prepared.kind === "delay") {
    const planned = prepared.noticeFirst ? await planNoticeFirst(db, row, contact.contact, at) : [];
    // Not an attempt: the contact waits for its lawful time with its retries untouched.
    await finish(db, row, {
      status: "planned",
      not_before: new Date(prepared.until).toISOString(),
      attempts: Number(row.attempts) - 1,
    });
    await writeLog(db, [
      { ...base, status: "delayed", rule: prepared.rule, reason: prepared.reason },
      ...planned,
    ]);
    return "delayed";
  }
  const { contact: outgoing, carried } = prepared;
  const adapter = options.channels[row.channel];
  let delivery: Delivery;
  try {
    delivery = adapter
      ? await adapter.deliver(outgoing, db)
      : { outcome: "temporary", error: `no ${row.channel} channel configured` };
  } catch (error) {
    // A template with lint errors is never sent: retrying would not change the wording.
    if (error instanceof OverdueError && error.code === "template_refused") {
      await finish(db, row, { status: "cancelled", last_error: error.message });
      await writeLog(db, [
        { ...base, status: "refused", rule: "template-lint", reason: error.message },
      ]);
      return "cancelled";
    }
    delivery = { outcome: "temporary", error: (error as Error).message };
  }

  if (delivery.outcome === "sent") {
    const numbers = outgoing.invoices.map((i) => i.number).join(", ");
    const sent: LogEntry = {
      ...base,
      status: "sent",
      rule: row.fallback_from ? "fallback" : "ladder",
      reason: `${numbers}${carried ? `; with the validation notice, period ends ${carried.periodEnds}` : ""}${delivery.note ? `; ${delivery.note}` : ""}`,
    };
    const set = {
      status: "sent" as const,
      sent_at: at,
      message_id: delivery.messageId ?? null,
      document: delivery.document ?? null,
    };
    // First thing after the hand-over: once this is stored, no rerun sends it again.
    // PostgreSQL stores the outcome and its log line in one statement (a round trip less).
    if (dialect.name === "postgres") await finishLogged(db, row, set, sent);
    else {
      await finish(db, row, set);
      await writeLog(db, [sent]);
    }
    if (outgoing.invoices.length < items.length) {
      await dropItemsNotSent(db, row.id, outgoing);
    }
    if (carried) await recordValidationNotices(db, outgoing, carried);
    return "sent";
  }

  const attempts = Number(row.attempts);
  if (delivery.outcome === "temporary" && attempts <= BACKOFF_MINUTES.length) {
    const wait = BACKOFF_MINUTES[attempts - 1] ?? 1;
    const notBefore = new Date(Date.parse(at) + wait * 60_000).toISOString();
    await finish(db, row, { status: "planned", not_before: notBefore, last_error: delivery.error });
    await writeLog(db, [
      {
        ...base,
        status: "delayed",
        rule: "retry",
        reason: `${delivery.error}; next try after ${notBefore}`,
      },
    ]);
    return "retrying";
  }

  await finish(db, row, { status: "failed", last_error: delivery.error });
  const entries: LogEntry[] = [
    { ...base, status: "failed", rule: "delivery", reason: delivery.error },
  ];
  const fallback = await planLetterInstead(db, row, outgoing, at);
  if (fallback) entries.push(fallback);
  await writeLog(db, entries);
  return "failed";
}

/** The customer columns of an items row (`customer_name`, …), as a customer. */
function customerOf(row: { [column: `customer_${string}`]: unknown }): ContactCustomer {
  return Object.fromEntries(
    CONTACT_CUSTOMER_COLUMNS.map((column) => [column, row[`customer_${column}`]]),
  ) as ContactCustomer;
}

/** Updates the row this worker claimed; a row someone else took over is left alone. */
async function finish(
  db: Kysely<LedgerSchema>,
  row: ClaimedRow,
  set: Partial<
    Pick<
      OutboxTable,
      "status" | "sent_at" | "message_id" | "document" | "last_error" | "not_before" | "attempts"
    >
  >,
) {
  await db
    .updateTable("outbox")
    .set({ ...set, claimed_by: null })
    .where("id", "=", row.id)
    .where("claimed_by", "=", row.claimed_by)
    .execute();
}

/** `finish` and its log line in one statement: a data-modifying WITH (PostgreSQL only). */
async function finishLogged(
  db: Kysely<LedgerSchema>,
  row: ClaimedRow,
  set: Partial<Pick<OutboxTable, "status" | "sent_at" | "message_id" | "document">>,
  entry: LogEntry,
) {
  await db
    .with("finished", (qb) =>
      qb
        .updateTable("outbox")
        .set({ ...set, claimed_by: null })
        .where("id", "=", row.id)
        .where("claimed_by", "=", row.claimed_by)
        .returning("id"),
    )
    .insertInto("contact_log")
    .columns(["at", "customer_id", "outbox_id", "channel", "status", "rule", "reason", "actor"])
    .expression((eb) =>
      eb
        .selectFrom("finished")
        .select([
          sql<string>`${entry.at}::text`.as("at"),
          sql<string>`${entry.customerId}::text`.as("customer_id"),
          "finished.id as outbox_id",
          sql<string>`${entry.channel ?? null}::text`.as("channel"),
          sql<string>`${entry.status}::text`.as("status"),
          sql<string>`${entry.rule}::text`.as("rule"),
          sql<string>`${entry.reason}::text`.as("reason"),
          sql<string>`${entry.actor ?? SYSTEM_ACTOR}::text`.as("actor"),
        ]),
    )
    .execute();
}

/** Invoices that dropped out at sending were not chased: their step is not taken. */
async function dropItemsNotSent(
  db: Kysely<LedgerSchema>,
  outboxId: bigint,
  contact: OutgoingContact,
) {
  await db
    .deleteFrom("outbox_items")
    .where("outbox_id", "=", outboxId)
    .where(
      "invoice_id",
      "not in",
      contact.invoices.map((i) => i.id),
    )
    .execute();
}

/** An e-mail or SMS that cannot be delivered goes out as a letter, where there is an address. */
async function planLetterInstead(
  db: Kysely<LedgerSchema>,
  row: ClaimedRow,
  contact: OutgoingContact,
  at: string,
): Promise<LogEntry | undefined> {
  if (row.channel !== "email" && row.channel !== "sms") return undefined;
  if (contact.customer.addressLines.length === 0) return undefined;
  const id = await planAnother(db, row, { channel: "letter", key: `${row.key}/letter`, at });
  if (id === undefined) return undefined;
  return {
    at,
    customerId: row.customer_id,
    outboxId: id,
    channel: "letter",
    status: "planned",
    rule: "fallback",
    reason: `a letter instead of the ${row.channel} that could not be delivered`,
  };
}

/**
 * A text or call about a debt whose validation notice has not gone out: the notice goes first,
 * by letter where there is an address, else by e-mail (12 CFR 1006.34(a)).
 */
async function planNoticeFirst(
  db: Kysely<LedgerSchema>,
  row: ClaimedRow,
  contact: OutgoingContact,
  at: string,
): Promise<LogEntry[]> {
  const channel =
    contact.customer.addressLines.length > 0 ? "letter" : contact.customer.email ? "email" : null;
  if (!channel) return [];
  const id = await planAnother(db, row, { channel, key: `${row.key}/validation`, at });
  if (id === undefined) return [];
  return [
    {
      at,
      customerId: row.customer_id,
      outboxId: id,
      channel,
      status: "planned",
      rule: "US-VAL-01",
      reason: `the validation notice, by ${channel}, before the ${row.channel}`,
    },
  ];
}

/** Another outbox row for the same invoices and steps, made once (its key is unique). */
async function planAnother(
  db: Kysely<LedgerSchema>,
  row: ClaimedRow,
  plan: { channel: string; key: string; at: string },
): Promise<bigint | undefined> {
  const inserted = await db
    .insertInto("outbox")
    .values({
      key: plan.key,
      run_id: row.run_id,
      as_of: row.as_of,
      customer_id: row.customer_id,
      channel: plan.channel,
      fallback_from: row.channel,
      tone: row.tone,
      status: "planned",
      attempts: 0,
      not_before: plan.at,
      planned_at: plan.at,
    })
    .onConflict((oc) => oc.column("key").doNothing())
    .returning("id")
    .executeTakeFirst();
  if (!inserted) return undefined;
  const items = await db
    .selectFrom("outbox_items")
    .select(["invoice_id", "step_id", "step_index", "tone"])
    .where("outbox_id", "=", row.id)
    .execute();
  await db
    .insertInto("outbox_items")
    .values(items.map((item) => ({ ...item, outbox_id: inserted.id })))
    .execute();
  return inserted.id;
}

/**
 * Rows left `sending` by a worker that died. Letters and tasks are simply done again; an
 * e-mail or SMS may already be with the customer, so it is marked in doubt and counted as
 * taken, never sent a second time by itself.
 */
async function recoverAbandonedClaims(
  database: Database,
  options: DispatchOptions,
): Promise<number> {
  const { db } = database;
  const claimed = await db
    .selectFrom("outbox")
    .select(["id", "customer_id", "channel", "claimed_by", "claimed_at"])
    .where("status", "=", "sending")
    .execute();
  let inDoubt = 0;
  for (const row of claimed) {
    if (!row.claimed_by || !abandoned(row.claimed_by, row.claimed_at)) continue;
    const redo = options.channels[row.channel]?.idempotent ?? false;
    const updated = await db
      .updateTable("outbox")
      .set({ status: redo ? "planned" : "in_doubt", claimed_by: null })
      .where("id", "=", row.id)
      .where("claimed_by", "=", row.claimed_by)
      .executeTakeFirst();
    if (redo || updated.numUpdatedRows === 0n) continue;
    inDoubt++;
    await writeLog(db, [
      {
        at: options.now,
        customerId: row.customer_id,
        outboxId: row.id,
        channel: row.channel,
        status: "sent",
        rule: "in-doubt",
        reason:
          "the sending process stopped while handing this over, so it has most likely arrived; it is counted as sent and not sent again (overdue resend to send it anyway)",
      },
    ]);
  }
  return inDoubt;
}

function abandoned(claimedBy: string, claimedAt: string | null): boolean {
  const [host, pid] = claimedBy.split("/");
  if (host === hostname() && pid) {
    try {
      process.kill(Number(pid), 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "ESRCH";
    }
  }
  return claimedAt === null || Date.now() - Date.parse(claimedAt) > CLAIM_LEASE_MS;
}
