import { type Command, Option } from "commander";
import { loadRuleProfiles } from "../compliance/rule-profiles.js";
import {
  CALL_OUTCOMES,
  type CallOutcome,
  closeDispute,
  closeInvoice,
  letterPosted,
  logCall,
  openDispute,
  releaseContact,
  stopContact,
  takePromise,
  verificationSent,
} from "../dunning/account-actions.js";
import {
  DISPUTE_STATUSES,
  listDisputes,
  listPromises,
  PROMISE_STATUSES,
} from "../dunning/account-records.js";
import { customerLog } from "../dunning/contact-log.js";
import { recordRun } from "../dunning/daily-run.js";
import { dispatch } from "../dunning/dispatch.js";
import { planInChunks } from "../dunning/plan-daily-run.js";
import { runPolicies } from "../dunning/policy-store.js";
import type { Preview } from "../dunning/preview.js";
import { openTasks } from "../dunning/worklist.js";
import type { CalendarDate } from "../kernel/calendar-date.js";
import {
  type BankFreshness,
  bankFreshness,
  CHANNELS_HELD_WHEN_STALE,
  describeFreshness,
  maxBankAgeFromEnv,
} from "../payments/bank-freshness.js";
import type { ConfiguredChannels } from "./channels-config.js";
import { asOfDate, currentUser, instant, today, withDatabase } from "./context.js";
import { printJson, textTable, writeOut } from "./output.js";
import { dryRunText, freshnessText, writeDryRunJson } from "./run-command.js";

type AtOption = { at?: string };
const actor = (options: AtOption) => ({
  at: options.at ?? new Date().toISOString(),
  by: currentUser(),
});
const atOption = () =>
  new Option("--at <timestamp>", "when it happened (ISO 8601; default now)").argParser(instant);

/**
 * The channels, loaded only by the commands that send: their libraries (SMTP, PDF, templates)
 * take longer to load than most commands take to run.
 */
async function configuredChannels() {
  const { channelsFromEnv } = await import("./channels-config.js");
  return channelsFromEnv();
}

/**
 * The channels that may send now, and what waits and why: without e-mail and letters while
 * the bank data is older than allowed (they stay planned in the outbox).
 */
function sendable(configured: ConfiguredChannels, bank: BankFreshness) {
  const held = new Set<string>(bank.holding ? CHANNELS_HELD_WHEN_STALE : []);
  const note = describeFreshness(bank);
  return {
    channels: Object.fromEntries(
      Object.entries(configured.channels).filter(([name]) => !held.has(name)),
    ),
    waiting: [...configured.missing, ...(note ? [note] : [])],
  };
}

/** The collections loop's commands: run, dispatch, holds, worklist, log. */
export function addCollectionsCommands(program: Command): void {
  program
    .command("run")
    .description("the daily collections run: plan the due reminder steps and send them")
    .addOption(
      new Option("--as-of <date>", "the business day of the run (default today)").argParser(
        asOfDate,
      ),
    )
    .addOption(
      new Option(
        "--at <timestamp>",
        "the instant the run treats as now (ISO 8601; default the clock)",
      ).argParser(instant),
    )
    .option("--dry-run", "show what would be sent, send nothing")
    .option("--json", "print the run as JSON")
    .action(
      async (
        options: { asOf?: CalendarDate; at?: string; dryRun?: boolean; json?: boolean },
        command: Command,
      ) => {
        const asOf = options.asOf ?? today();
        const at = options.at ?? new Date().toISOString();
        // Loaded here: the holiday tables take a while to load, and only runs need them.
        const { businessDayCalendar } = await import("../dunning/business-days.js");
        await withDatabase(command, async (database) => {
          const policies = await runPolicies(database);
          const policy = policies.fallback;
          const isBusinessDay = businessDayCalendar();
          const bank = await bankFreshness(database.db, asOf, maxBankAgeFromEnv());
          if (options.dryRun) {
            const parts = planInChunks(database, asOf, policies, isBusinessDay);
            const header = { asOf, policy: policy.name, bank };
            if (options.json) await writeDryRunJson(parts, header, writeOut);
            else await writeOut(`${await dryRunText(parts, header)}\n`);
            return;
          }
          const run = await recordRun(database, { asOf, at, policies, isBusinessDay });
          const configured = await configuredChannels();
          try {
            const { channels, waiting } = sendable(configured, bank);
            const sent = await dispatch(database, {
              now: at,
              channels,
              concurrency: configured.concurrency,
              policies,
            });
            const result = {
              asOf,
              at,
              dryRun: false,
              policy: policy.name,
              runId: String(run.runId),
              plan: run.counts,
              planned: run.planned,
              brokenPromises: run.brokenPromises,
              dispatch: sent,
              bank,
              waiting,
            };
            if (options.json) printJson(result);
            else {
              process.stdout.write(
                `Run ${run.runId} as of ${asOf}, policy "${policy.name}": ${run.planned} new contacts planned; sent ${sent.sent}, retrying ${sent.retrying}, failed ${sent.failed}, cancelled ${sent.cancelled}${sent.inDoubt ? `, in doubt ${sent.inDoubt}` : ""}.\n`,
              );
              process.stdout.write(`${freshnessText(bank)}\n`);
              for (const line of waiting) process.stdout.write(`Note: ${line}\n`);
            }
          } finally {
            await configured.close();
          }
        });
      },
    );

  program
    .command("dispatch")
    .description("send what is due in the outbox (several may run at once)")
    .addOption(atOption().makeOptionMandatory(false))
    .option("--json", "print the counts as JSON")
    .action(async (options: AtOption & { json?: boolean }, command: Command) => {
      await withDatabase(command, async (database) => {
        const configured = await configuredChannels();
        const now = options.at ?? new Date().toISOString();
        const bank = await bankFreshness(
          database.db,
          now.slice(0, 10) as CalendarDate,
          maxBankAgeFromEnv(),
        );
        try {
          const { channels, waiting } = sendable(configured, bank);
          const report = await dispatch(database, {
            now,
            channels,
            concurrency: configured.concurrency,
            policies: await runPolicies(database),
          });
          if (options.json) printJson({ ...report, bank, waiting });
          else process.stdout.write(`${JSON.stringify(report)}\n`);
        } finally {
          await configured.close();
        }
      });
    });

  program
    .command("dispute")
    .description("record that the customer disputes invoices: reminders about them pause")
    .argument("<invoices...>", "invoice ids or numbers")
    .option("--reason <text>", "what the customer says is wrong")
    .option("--resolve <note>", "close the open disputes as resolved; reminders resume")
    .option("--reject <note>", "close the open disputes as rejected; reminders resume")
    .option(
      "--verification-sent <note>",
      "verification of the debt went to the debtor (how and when); needed before a US consumer dispute closes",
    )
    .addOption(atOption())
    .action(
      async (
        invoices: string[],
        options: AtOption & {
          reason?: string;
          resolve?: string;
          reject?: string;
          verificationSent?: string;
        },
        command: Command,
      ) => {
        const closing = options.resolve ?? options.reject;
        const verification = options.verificationSent;
        if (closing === undefined && verification === undefined && !options.reason)
          command.error("error: required option '--reason <text>' not specified");
        const rules = closing === undefined ? undefined : await loadRuleProfiles();
        await withDatabase(command, async ({ db }) => {
          for (const invoice of invoices) {
            if (verification !== undefined) {
              const number = await verificationSent(db, invoice, verification, actor(options));
              process.stdout.write(`Verification of ${number} recorded as sent.\n`);
              if (closing === undefined) continue;
            }
            if (closing !== undefined) {
              const resolved = options.resolve !== undefined;
              const status = resolved ? "resolved" : "rejected";
              await closeDispute(db, invoice, status, closing, actor(options), rules);
              process.stdout.write(`Dispute on ${invoice} ${status}.\n`);
              continue;
            }
            const opened = await openDispute(db, invoice, options.reason as string, actor(options));
            process.stdout.write(
              `Dispute ${opened.id} opened on ${opened.invoice}: reminders pause.\n`,
            );
          }
        });
      },
    );

  program
    .command("disputes")
    .description("disputes, newest first: reason, who opened them, how they ended")
    .option("--customer <id>", "one customer's")
    .addOption(new Option("--status <status>", "only these").choices(DISPUTE_STATUSES))
    .option("--json", "print them as JSON")
    .action(
      async (options: { customer?: string; status?: string; json?: boolean }, command: Command) => {
        const disputes = await withDatabase(command, ({ db }) =>
          listDisputes(db, {
            ...(options.customer ? { customerId: options.customer } : {}),
            ...(options.status ? { status: options.status } : {}),
          }),
        );
        if (options.json) return printJson({ disputes });
        if (disputes.length === 0) return writeOut("No disputes.\n");
        await writeOut(
          `${textTable(
            ["id", "customer", "invoice", "status", "opened", "by", "reason", "resolution"],
            disputes.map((d) => [
              d.id,
              d.customerId,
              d.invoice,
              d.status,
              d.openedAt.slice(0, 10),
              d.openedBy,
              d.reason,
              d.resolution ?? "",
            ]),
            new Set(),
          )}\n`,
        );
      },
    );

  program
    .command("promise")
    .description("record a promise to pay: reminders pause until that day")
    .argument("<invoice>", "invoice id or number")
    .requiredOption("--date <date>", "the day the customer will pay by", asOfDate)
    .option("--amount <amount>", "the amount promised (default the open balance)")
    .option("--channel <channel>", "how the promise was made: phone, email, letter, sms, …")
    .addOption(atOption())
    .action(
      async (
        invoice: string,
        options: AtOption & { date: CalendarDate; amount?: string; channel?: string },
        command: Command,
      ) => {
        await withDatabase(command, async ({ db }) => {
          const taken = await takePromise(
            db,
            invoice,
            {
              date: options.date,
              ...(options.amount ? { amount: options.amount } : {}),
              ...(options.channel ? { channel: options.channel } : {}),
            },
            actor(options),
          );
          process.stdout.write(
            `Promise ${taken.id} on ${taken.invoice}: reminders pause until ${options.date}.\n`,
          );
        });
      },
    );

  program
    .command("promises")
    .description("promises to pay, newest first: kept, partly kept, broken or still open")
    .option("--customer <id>", "one customer's")
    .addOption(new Option("--status <status>", "only these").choices(PROMISE_STATUSES))
    .option("--json", "print them as JSON")
    .action(
      async (options: { customer?: string; status?: string; json?: boolean }, command: Command) => {
        const promises = await withDatabase(command, ({ db }) =>
          listPromises(db, {
            ...(options.customer ? { customerId: options.customer } : {}),
            ...(options.status ? { status: options.status } : {}),
          }),
        );
        if (options.json) return printJson({ promises });
        if (promises.length === 0) return writeOut("No promises.\n");
        await writeOut(
          `${textTable(
            ["id", "customer", "invoice", "by", "amount", "status", "taken", "by", "channel"],
            promises.map((p) => [
              p.id,
              p.customerId,
              p.invoice,
              p.promisedOn,
              `${p.amount ?? `${p.openAtPromise} (all)`} ${p.currency}`,
              p.status,
              p.takenAt.slice(0, 10),
              p.takenBy,
              p.channel ?? "",
            ]),
            new Set([4]),
          )}\n`,
        );
      },
    );

  const invoice = program.command("invoice").description("take an invoice out of the chase");
  invoice
    .command("write-off")
    .description("write an invoice off: no more reminders about it")
    .argument("<invoice>", "invoice id or number")
    .requiredOption("--reason <text>", "why")
    .addOption(atOption())
    .action(async (id: string, options: AtOption & { reason: string }, command: Command) => {
      const number = await withDatabase(command, ({ db }) =>
        closeInvoice(db, id, { kind: "written_off", reason: options.reason }, actor(options)),
      );
      process.stdout.write(`${number} written off.\n`);
    });
  invoice
    .command("place")
    .description("place an invoice with a collection agency: no more reminders from us")
    .argument("<invoice>", "invoice id or number")
    .requiredOption("--agency <name>", "the agency")
    .option("--reason <text>", "why", "handed over for collection")
    .addOption(atOption())
    .action(
      async (
        id: string,
        options: AtOption & { agency: string; reason: string },
        command: Command,
      ) => {
        const number = await withDatabase(command, ({ db }) =>
          closeInvoice(
            db,
            id,
            { kind: "placed", agency: options.agency, reason: options.reason },
            actor(options),
          ),
        );
        process.stdout.write(`${number} placed with ${options.agency}.\n`);
      },
    );

  const call = program.command("call").description("phone calls on the worklist");
  call
    .command("log")
    .description("record how a call went and close its task")
    .argument("<task>", "task id (see overdue tasks)")
    .addOption(
      new Option("--outcome <outcome>", "what happened")
        .choices(CALL_OUTCOMES)
        .makeOptionMandatory(),
    )
    .option("--date <date>", "with --outcome promise: the day the customer will pay by", asOfDate)
    .option("--amount <amount>", "with --outcome promise: the amount promised")
    .option("--reason <text>", "with --outcome dispute: what the customer says is wrong")
    .option("--note <text>", "a note for the file")
    .addOption(atOption())
    .action(
      async (
        task: string,
        options: AtOption & {
          outcome: CallOutcome;
          date?: CalendarDate;
          amount?: string;
          reason?: string;
          note?: string;
        },
        command: Command,
      ) => {
        await withDatabase(command, async ({ db }) => {
          const { date, amount, reason, note } = options;
          const done = await logCall(
            db,
            task,
            {
              outcome: options.outcome,
              ...(date ? { date } : {}),
              ...(amount ? { amount } : {}),
              ...(reason ? { reason } : {}),
              ...(note ? { note } : {}),
            },
            actor(options),
          );
          process.stdout.write(`Task ${done.task} done: ${options.outcome}.\n`);
        });
      },
    );

  program
    .command("tasks")
    .description("the open worklist: calls, broken promises, escalations")
    .option("--collector <id>", "only this collector's tasks")
    .option("--json", "print as JSON")
    .action(async (options: { collector?: string; json?: boolean }, command: Command) => {
      const tasks = await withDatabase(command, ({ db }) => openTasks(db, options.collector));
      if (options.json) printJson(tasks);
      else if (tasks.length === 0) process.stdout.write("No open tasks.\n");
      else
        process.stdout.write(
          `${textTable(
            ["task", "kind", "customer", "collector", "invoices"],
            tasks.map((t) => [
              t.id,
              t.kind,
              t.customerId,
              t.collectorId ?? "",
              t.invoiceIds.join(", "),
            ]),
            new Set([0]),
          )}\n`,
        );
    });

  program
    .command("letter")
    .description("letters sent by post")
    .command("posted")
    .description("record the registered-post tracking number of a letter")
    .argument("<id>", "the letter's contact id (in overdue log)")
    .requiredOption("--tracking <number>", "the post office's tracking number")
    .addOption(atOption())
    .action(async (id: string, options: AtOption & { tracking: string }, command: Command) => {
      await withDatabase(command, ({ db }) =>
        letterPosted(db, id, options.tracking, actor(options)),
      );
      process.stdout.write(`Letter ${id}: tracking number ${options.tracking} recorded.\n`);
    });

  program
    .command("approve")
    .description("approve a contact the policy holds for approval; it goes out with the next run")
    .argument("<id>", "contact id (in overdue log)")
    .addOption(atOption())
    .action(async (id: string, options: AtOption, command: Command) => {
      await withDatabase(command, ({ db }) =>
        releaseContact(db, id, ["awaiting_approval"], actor(options)),
      );
      process.stdout.write(`Contact ${id} approved.\n`);
    });

  program
    .command("resend")
    .description("send again a contact that failed or is in doubt after a crash")
    .argument("<id>", "contact id (in overdue log)")
    .addOption(atOption())
    .action(async (id: string, options: AtOption, command: Command) => {
      await withDatabase(command, ({ db }) =>
        releaseContact(db, id, ["in_doubt", "failed"], actor(options)),
      );
      process.stdout.write(`Contact ${id} goes out with the next dispatch.\n`);
    });

  program
    .command("contact")
    .description("a customer's contact preferences")
    .command("stop")
    .description("stop all contact with a customer, or one channel")
    .argument("<customer>", "customer id")
    .option("--channel <channel>", "only this channel")
    .addOption(atOption())
    .action(
      async (customer: string, options: AtOption & { channel?: string }, command: Command) => {
        await withDatabase(command, ({ db }) =>
          stopContact(db, customer, options.channel, actor(options)),
        );
        process.stdout.write(
          `Contact with ${customer} stopped${options.channel ? ` on ${options.channel}` : ""}.\n`,
        );
      },
    );

  program
    .command("preview")
    .description("show exactly what the next run would send a customer, without sending")
    .requiredOption("--customer <id>", "customer id")
    .addOption(
      new Option("--as-of <date>", "the run's business day (default today)").argParser(asOfDate),
    )
    .addOption(
      new Option(
        "--at <timestamp>",
        "the instant the guard checks contact hours and caps at (ISO 8601; default now)",
      ).argParser(instant),
    )
    .option("--json", "print as JSON")
    .action(
      async (
        options: AtOption & { customer: string; asOf?: CalendarDate; json?: boolean },
        command: Command,
      ) => {
        const { businessDayCalendar } = await import("../dunning/business-days.js");
        const { previewCustomer } = await import("../dunning/preview.js");
        const { loadMessageLibrary } = await import("../dunning/messages/index.js");
        const { senderFromEnv } = await import("./channels-config.js");
        const { loadComplianceRules } = await import("../compliance/prepare-outgoing.js");
        const compliance = await loadComplianceRules();
        const preview = await withDatabase(command, async (database) =>
          previewCustomer(database, options.customer, {
            asOf: options.asOf ?? today(),
            policies: await runPolicies(database),
            isBusinessDay: businessDayCalendar(),
            library: await loadMessageLibrary(process.env.OVERDUE_TEMPLATE_DIR),
            sender: senderFromEnv(),
            compliance,
            at: options.at ?? new Date().toISOString(),
          }),
        );
        if (options.json) printJson(preview);
        else process.stdout.write(`${previewText(preview)}\n`);
      },
    );

  program
    .command("log")
    .description("every contact planned, sent, failed or held back for a customer, with the reason")
    .requiredOption("--customer <id>", "customer id")
    .option("--json", "print as JSON")
    .action(async (options: { customer: string; json?: boolean }, command: Command) => {
      const entries = await withDatabase(command, ({ db }) => customerLog(db, options.customer));
      if (options.json) printJson(entries);
      else if (entries.length === 0)
        process.stdout.write(`Nothing logged for ${options.customer}.\n`);
      else
        process.stdout.write(
          `${textTable(
            ["at", "contact", "status", "channel", "rule", "by", "reason"],
            entries.map((e) => [
              e.at,
              e.contactId ?? "",
              e.status,
              e.channel ?? "",
              e.rule,
              e.actor ?? "",
              e.reason,
            ]),
            new Set([1]),
          )}\n`,
        );
    });
}

function previewText(preview: Preview): string {
  const lines = [`What the run of ${preview.asOf} would send ${preview.customerId}:`];
  if (preview.contacts.length === 0) lines.push("", "Nothing.");
  for (const c of preview.contacts) {
    const steps = c.invoices.map((i) => `${i.number} (${i.stepId})`).join(", ");
    lines.push(
      "",
      `=== ${c.channel}${c.fallbackFrom ? ` instead of ${c.fallbackFrom}` : ""}, tone ${c.tone}, to ${c.to}: ${steps}${c.needsApproval ? " [needs approval]" : ""}`,
    );
    if (c.waits) lines.push(`(waits: ${c.waits})`);
    if (c.subject) lines.push(`Subject: ${c.subject}`, "");
    lines.push(c.text);
  }
  for (const r of preview.refused) lines.push("", `Refused: ${r.channel}: ${r.reason} (${r.rule})`);
  if (preview.escalation)
    lines.push("", "The account is proposed to the collections lead for escalation.");
  for (const n of preview.notChased)
    lines.push("", `Held back: ${n.invoiceId}: ${n.reason} (${n.rule})`);
  return lines.join("\n");
}
