import type { Kysely } from "kysely";
import { profileFor, type RuleProfiles } from "../compliance/domain/profile.js";
import type { LedgerSchema } from "../db/schema.js";
import type { CalendarDate } from "../kernel/calendar-date.js";
import { OverdueError } from "../kernel/errors.js";
import { currency, formatAmount, parseAmount } from "../kernel/money.js";
import { writeLog } from "./contact-log.js";
import { CHANNELS } from "./domain/policy.js";
import type { ConfirmationStep } from "./outgoing.js";

/** Who did it and when: the real clock or `--at`, and the user (or `cli`). */
export type Actor = { readonly at: string; readonly by: string };

async function invoiceFor(db: Kysely<LedgerSchema>, invoiceId: string) {
  const invoice = await db
    .selectFrom("invoices")
    .select(["id", "number", "customer_id", "currency", "open_minor"])
    .where((eb) => eb.or([eb("id", "=", invoiceId), eb("number", "=", invoiceId)]))
    .executeTakeFirst();
  if (!invoice) throw new OverdueError("unknown_invoice", `no invoice ${invoiceId}`);
  return invoice;
}

/** A dispute pauses the chase for the invoice until it is resolved or rejected. */
export async function openDispute(
  db: Kysely<LedgerSchema>,
  invoiceId: string,
  reason: string,
  actor: Actor,
): Promise<{ id: bigint; invoice: string }> {
  const invoice = await invoiceFor(db, invoiceId);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("disputes")
      .values({
        invoice_id: invoice.id,
        customer_id: invoice.customer_id,
        reason,
        status: "open",
        opened_at: actor.at,
        opened_by: actor.by,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await writeLog(trx, [
      {
        at: actor.at,
        actor: actor.by,
        customerId: invoice.customer_id,
        invoiceId: invoice.id,
        status: "refused",
        rule: "dispute",
        reason: `${invoice.number} disputed by the customer (${reason}), recorded by ${actor.by}: reminders pause`,
      },
    ]);
    return { id: row.id, invoice: invoice.number };
  });
}

/**
 * Closes the open disputes on an invoice; the ladder resumes where it stopped. Where the
 * debtor's profile says so (Regulation F for consumer debt, 12 CFR 1006.38(d)(2)), collection
 * may resume only once verification of the debt has been sent: closing before that is refused.
 */
export async function closeDispute(
  db: Kysely<LedgerSchema>,
  invoiceId: string,
  status: "resolved" | "rejected",
  resolution: string,
  actor: Actor,
  rules?: RuleProfiles,
): Promise<number> {
  const invoice = await invoiceFor(db, invoiceId);
  const open = await db
    .selectFrom("disputes")
    .select(["id", "verification_sent_at"])
    .where("invoice_id", "=", invoice.id)
    .where("status", "=", "open")
    .execute();
  if (open.length === 0)
    throw new OverdueError("no_dispute", `${invoice.number} has no open dispute`);
  const needed = rules && (await verificationRule(db, invoice.customer_id, rules));
  if (needed && open.some((d) => d.verification_sent_at === null)) {
    throw new OverdueError(
      "verification_not_sent",
      `${invoice.number}: under ${needed} collection resumes only after verification of the debt has been sent; record it first with overdue dispute ${invoice.number} --verification-sent NOTE`,
    );
  }
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable("disputes")
      .set({ status, resolution, closed_at: actor.at })
      .where("invoice_id", "=", invoice.id)
      .where("status", "=", "open")
      .executeTakeFirst();
    await writeLog(trx, [
      {
        at: actor.at,
        actor: actor.by,
        customerId: invoice.customer_id,
        invoiceId: invoice.id,
        // Reminders resume.
        status: "planned",
        rule: "dispute-closed",
        reason: `the dispute on ${invoice.number} was ${status} by ${actor.by} (${resolution}): reminders resume`,
      },
    ]);
    return Number(result.numUpdatedRows);
  });
}

/** Records that verification of a disputed debt went to the debtor (how: the note). */
export async function verificationSent(
  db: Kysely<LedgerSchema>,
  invoiceId: string,
  note: string,
  actor: Actor,
): Promise<string> {
  const invoice = await invoiceFor(db, invoiceId);
  const result = await db
    .updateTable("disputes")
    .set({ verification_sent_at: actor.at, verification_note: note })
    .where("invoice_id", "=", invoice.id)
    .where("status", "=", "open")
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) {
    throw new OverdueError("no_dispute", `${invoice.number} has no open dispute`);
  }
  await writeLog(db, [
    {
      at: actor.at,
      actor: actor.by,
      customerId: invoice.customer_id,
      invoiceId: invoice.id,
      status: "sent",
      rule: "verification",
      reason: `verification of ${invoice.number} sent to the debtor (${note}), recorded by ${actor.by}`,
    },
  ]);
  return invoice.number;
}

/** The rule id when the customer's profile lets collection resume only after verification. */
async function verificationRule(
  db: Kysely<LedgerSchema>,
  customerId: string,
  rules: RuleProfiles,
): Promise<string | undefined> {
  const customer = await db
    .selectFrom("customers")
    .select(["country", "kind"])
    .where("id", "=", customerId)
    .executeTakeFirstOrThrow();
  const disputes = profileFor(rules, customer)?.disputes;
  return disputes?.resumeOnlyAfterVerification ? disputes.rule : undefined;
}

/** A promise to pay pauses the chase until its day; kept or not is decided by a later run. */
export async function takePromise(
  db: Kysely<LedgerSchema>,
  invoiceId: string,
  promise: { date: CalendarDate; amount?: string; channel?: string },
  actor: Actor,
): Promise<{ id: bigint; invoice: string }> {
  const invoice = await invoiceFor(db, invoiceId);
  if (invoice.open_minor <= 0n) {
    throw new OverdueError("invoice_paid", `${invoice.number} has nothing open to promise`);
  }
  const unit = currency(invoice.currency);
  let amountMinor: bigint | null = null;
  if (promise.amount !== undefined) {
    const parsed = parseAmount(promise.amount, unit);
    if (!parsed.ok) throw new OverdueError("bad_amount", `--amount: ${parsed.problem}`);
    if (parsed.value <= 0n || parsed.value > invoice.open_minor) {
      throw new OverdueError(
        "bad_amount",
        `--amount: must be more than 0 and at most the open ${formatAmount(invoice.open_minor, unit)} ${unit.code}`,
      );
    }
    amountMinor = parsed.value;
  }
  return db.transaction().execute(async (trx) => {
    // A new promise replaces one still open on the same invoice.
    await trx
      .updateTable("promises")
      .set({ status: "replaced", decided_at: actor.at })
      .where("invoice_id", "=", invoice.id)
      .where("status", "=", "open")
      .execute();
    const row = await trx
      .insertInto("promises")
      .values({
        invoice_id: invoice.id,
        customer_id: invoice.customer_id,
        promised_on: promise.date,
        amount_minor: amountMinor,
        currency: invoice.currency,
        open_minor_at_promise: invoice.open_minor,
        status: "open",
        taken_at: actor.at,
        taken_by: actor.by,
        channel: promise.channel ?? null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const what =
      amountMinor === null ? "the open balance" : `${formatAmount(amountMinor, unit)} ${unit.code}`;
    await writeLog(trx, [
      {
        at: actor.at,
        actor: actor.by,
        customerId: invoice.customer_id,
        invoiceId: invoice.id,
        status: "refused",
        rule: "promise",
        reason: `promise to pay ${what} of ${invoice.number} by ${promise.date}, taken by ${actor.by}: reminders pause until then`,
      },
    ]);
    return { id: row.id, invoice: invoice.number };
  });
}

/**
 * Takes an invoice out of the chase for good: written off, or placed with a collection
 * agency (who then collects; we must not contact the debtor about it alongside them).
 */
export async function closeInvoice(
  db: Kysely<LedgerSchema>,
  invoiceId: string,
  closure: { kind: "written_off" | "placed"; reason: string; agency?: string },
  actor: Actor,
): Promise<string> {
  const invoice = await invoiceFor(db, invoiceId);
  if (closure.kind === "placed" && !closure.agency) {
    throw new OverdueError(
      "missing_agency",
      "--agency: name the agency the invoice is placed with",
    );
  }
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("closures")
      .values({
        invoice_id: invoice.id,
        customer_id: invoice.customer_id,
        kind: closure.kind,
        agency: closure.agency ?? null,
        reason: closure.reason,
        at: actor.at,
        by: actor.by,
      })
      .onConflict((oc) =>
        oc.column("invoice_id").doUpdateSet({
          kind: closure.kind,
          agency: closure.agency ?? null,
          reason: closure.reason,
          at: actor.at,
          by: actor.by,
        }),
      )
      .execute();
    const what = closure.kind === "placed" ? `placed with ${closure.agency}` : "written off";
    await writeLog(trx, [
      {
        at: actor.at,
        actor: actor.by,
        customerId: invoice.customer_id,
        invoiceId: invoice.id,
        status: "refused",
        rule: closure.kind,
        reason: `${invoice.number} ${what} by ${actor.by} (${closure.reason}): no more reminders`,
      },
    ]);
  });
  return invoice.number;
}

/**
 * The customer asked us to stop: on one channel, or altogether. Honoured from the next send,
 * with the one message the rules allow: a confirmation of the opt-out on that channel
 * (12 CFR 1006.14(h)(2)(i)), or, when all contact stops, a note that our efforts end
 * (15 U.S.C. 1692c(c)(1)), by letter where there is an address, else by e-mail.
 */
export async function stopContact(
  db: Kysely<LedgerSchema>,
  customerId: string,
  channel: string | undefined,
  actor: Actor,
): Promise<void> {
  if (channel !== undefined && !(CHANNELS as readonly string[]).includes(channel)) {
    throw new OverdueError("bad_channel", `--channel: must be one of ${CHANNELS.join(", ")}`);
  }
  const customer = await db
    .selectFrom("customers")
    .select(["id", "email", "address_line1"])
    .where("id", "=", customerId)
    .executeTakeFirst();
  if (!customer) throw new OverdueError("unknown_customer", `no customer ${customerId}`);
  const stopped = channel ?? "*";
  const inserted = await db
    .insertInto("contact_stops")
    .values({ customer_id: customerId, channel: stopped, at: actor.at })
    .onConflict((oc) => oc.columns(["customer_id", "channel"]).doNothing())
    .executeTakeFirst();
  const confirmBy =
    channel === "email" || channel === "sms"
      ? channel
      : channel === undefined
        ? customer.address_line1
          ? "letter"
          : customer.email
            ? "email"
            : undefined
        : undefined;
  if (confirmBy && (inserted.numInsertedOrUpdatedRows ?? 0n) > 0n) {
    const step = channel ? "opt-out-confirmation" : "cease-confirmation";
    await planStopConfirmation(db, customerId, stopped, confirmBy, step, actor);
  }
  await writeLog(db, [
    {
      at: actor.at,
      actor: actor.by,
      customerId,
      channel: channel ?? null,
      status: "refused",
      rule: channel ? "opt-out" : "cease",
      reason: channel
        ? `the customer opted out of ${channel}, recorded by ${actor.by}`
        : `the customer asked that all contact stop, recorded by ${actor.by}`,
    },
  ]);
}

/**
 * Puts the confirmation in the outbox, about the customer's open invoices, under a run record
 * of its own (every outbox row belongs to a run). Keyed by the stop, so it is planned once.
 */
async function planStopConfirmation(
  db: Kysely<LedgerSchema>,
  customerId: string,
  stopped: string,
  channel: string,
  step: ConfirmationStep,
  actor: Actor,
): Promise<void> {
  const open = await db
    .selectFrom("invoices")
    .select("id")
    .where("customer_id", "=", customerId)
    .where("open_minor", ">", 0n)
    .where("id", "not in", db.selectFrom("closures").select("invoice_id"))
    .execute();
  if (open.length === 0) return;
  const asOf = actor.at.slice(0, 10);
  const run = await db
    .insertInto("runs")
    .values({ as_of: asOf, at: actor.at, policy: step, planned: 1n })
    .returning("id")
    .executeTakeFirstOrThrow();
  const row = await db
    .insertInto("outbox")
    .values({
      key: `stop/${customerId}/${stopped}`,
      run_id: run.id,
      as_of: asOf,
      customer_id: customerId,
      channel,
      fallback_from: null,
      tone: 1,
      status: "planned",
      attempts: 0,
      not_before: actor.at,
      planned_at: actor.at,
    })
    .onConflict((oc) => oc.column("key").doNothing())
    .returning("id")
    .executeTakeFirst();
  if (!row) return;
  await db
    .insertInto("outbox_items")
    .values(
      open.map((invoice) => ({
        outbox_id: row.id,
        invoice_id: invoice.id,
        step_id: step,
        step_index: -1,
        tone: 1,
      })),
    )
    .execute();
}

export const CALL_OUTCOMES = [
  "reached",
  "promise",
  "dispute",
  "no-answer",
  "wrong-number",
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/**
 * Records how a call went and closes the task. A promise or dispute taken on the call
 * applies to every invoice the task is about.
 */
export async function logCall(
  db: Kysely<LedgerSchema>,
  taskId: string,
  call: {
    outcome: CallOutcome;
    date?: CalendarDate;
    amount?: string;
    reason?: string;
    note?: string;
  },
  actor: Actor,
): Promise<{ task: string; invoices: string[] }> {
  const task = await db
    .selectFrom("tasks")
    .selectAll()
    .where("id", "=", parseId(taskId, "task"))
    .executeTakeFirst();
  if (!task) throw new OverdueError("unknown_task", `no task ${taskId}`);
  if (task.status !== "open") throw new OverdueError("task_done", `task ${taskId} is already done`);
  const invoiceIds = JSON.parse(task.invoice_ids) as string[];
  if (call.outcome === "promise") {
    if (!call.date)
      throw new OverdueError(
        "missing_date",
        "--date: a promise needs the day the customer will pay",
      );
    const single = invoiceIds.length === 1;
    for (const id of invoiceIds) {
      await takePromise(
        db,
        id,
        {
          date: call.date,
          ...(single && call.amount ? { amount: call.amount } : {}),
          channel: "call",
        },
        actor,
      );
    }
  }
  if (call.outcome === "dispute") {
    for (const id of invoiceIds)
      await openDispute(db, id, call.reason ?? "raised on a call", actor);
  }
  await db
    .updateTable("tasks")
    .set({ status: "done", outcome: call.outcome, note: call.note ?? null, done_at: actor.at })
    .where("id", "=", task.id)
    .execute();
  await writeLog(db, [
    {
      at: actor.at,
      actor: actor.by,
      customerId: task.customer_id,
      outboxId: task.outbox_id,
      channel: "call",
      status: "sent",
      rule: "call-outcome",
      reason: `call by ${actor.by}: ${call.outcome}${call.note ? ` (${call.note})` : ""}`,
    },
  ]);
  return { task: String(task.id), invoices: invoiceIds };
}

/** A certified letter went to the post office; its tracking number is evidence of sending. */
export async function letterPosted(
  db: Kysely<LedgerSchema>,
  letterId: string,
  tracking: string,
  actor: Actor,
): Promise<void> {
  const letter = await db
    .selectFrom("outbox")
    .select(["id", "customer_id", "channel", "status"])
    .where("id", "=", parseId(letterId, "letter"))
    .executeTakeFirst();
  if (!letter || (letter.channel !== "letter" && letter.channel !== "certified_letter")) {
    throw new OverdueError("unknown_letter", `no letter ${letterId}`);
  }
  if (letter.status !== "sent") {
    throw new OverdueError(
      "letter_not_written",
      `letter ${letterId} is ${letter.status}, not written yet`,
    );
  }
  await db.updateTable("outbox").set({ tracking }).where("id", "=", letter.id).execute();
  await writeLog(db, [
    {
      at: actor.at,
      actor: actor.by,
      customerId: letter.customer_id,
      outboxId: letter.id,
      channel: letter.channel,
      status: "sent",
      rule: "posted",
      reason: `posted by ${actor.by}, tracking number ${tracking}`,
    },
  ]);
}

/**
 * Releases a contact a person had to look at: one awaiting approval, one in doubt after a
 * crash, or one that failed. It goes out with the next dispatch, under the same key.
 */
export async function releaseContact(
  db: Kysely<LedgerSchema>,
  contactId: string,
  from: readonly ("awaiting_approval" | "in_doubt" | "failed")[],
  actor: Actor,
): Promise<void> {
  const id = parseId(contactId, "contact");
  const result = await db
    .updateTable("outbox")
    .set({ status: "planned", attempts: 0 })
    .where("id", "=", id)
    .where("status", "in", [...from])
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) {
    throw new OverdueError("not_releasable", `contact ${contactId} is not ${from.join(" or ")}`);
  }
  const row = await db
    .selectFrom("outbox")
    .select(["customer_id", "channel"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  await writeLog(db, [
    {
      at: actor.at,
      actor: actor.by,
      customerId: row.customer_id,
      outboxId: id,
      channel: row.channel,
      status: "planned",
      rule: from.includes("awaiting_approval") ? "approved" : "resend",
      reason: `released by ${actor.by}`,
    },
  ]);
}

function parseId(text: string, what: string): bigint {
  if (!/^\d{1,18}$/.test(text))
    throw new OverdueError("bad_id", `${what} id must be a number, got ${text}`);
  return BigInt(text);
}
