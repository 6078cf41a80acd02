import type { PlannedContact, PlannedItem, RunPlan } from "../dunning/domain/plan-run.js";
import { countPlan, noCounts } from "../dunning/run-counts.js";
import type { CalendarDate } from "../kernel/calendar-date.js";
import { currency, formatAmount } from "../kernel/money.js";
import { type BankFreshness, describeFreshness } from "../payments/bank-freshness.js";
import { textTable } from "./output.js";

const items = (list: readonly PlannedItem[]) =>
  list.map((i) => ({
    invoiceId: i.invoiceId,
    number: i.number,
    stepId: i.stepId,
    open: formatAmount(i.openMinor, currency(i.currency)),
    currency: i.currency,
  }));

const contactJson = (c: PlannedContact) => ({
  customerId: c.customerId,
  channel: c.channel,
  tone: c.tone,
  needsApproval: c.needsApproval,
  ...(c.fallbackFrom ? { fallbackFrom: c.fallbackFrom } : {}),
  invoices: items(c.items),
});

type RunHeader = { asOf: CalendarDate; policy: string; bank: BankFreshness };

/** One line on how old the bank data is, for every run's report. */
export function freshnessText(bank: BankFreshness): string {
  const age =
    bank.newestStatement === null
      ? "No bank statement imported yet."
      : `Newest bank statement: ${bank.newestStatement} (${bank.ageDays} days old).`;
  return describeFreshness(bank) ? `${age} ${describeFreshness(bank)}.` : age;
}

/**
 * `overdue run --dry-run --json`: { asOf, dryRun, policy, contacts, escalations, notChased },
 * written as the plan is made, a part at a time, so a million invoices need no more memory
 * than a few thousand. Contacts are streamed; the (much shorter) other lists follow.
 */
export async function writeDryRunJson(
  parts: AsyncIterable<RunPlan>,
  header: RunHeader,
  write: (text: string) => Promise<void>,
): Promise<void> {
  const escalations: unknown[] = [];
  const notChased: unknown[] = [];
  await write(
    `{"asOf":${JSON.stringify(header.asOf)},"dryRun":true,"policy":${JSON.stringify(header.policy)},"bank":${JSON.stringify(header.bank)},"contacts":[`,
  );
  let first = true;
  for await (const part of parts) {
    if (part.contacts.length > 0) {
      const text = part.contacts.map((c) => JSON.stringify(contactJson(c))).join(",\n");
      await write(`${first ? "\n" : ",\n"}${text}`);
      first = false;
    }
    for (const e of part.escalations)
      escalations.push({ customerId: e.customerId, invoices: items(e.items) });
    notChased.push(...part.notChased);
  }
  await write(
    `\n],"escalations":${JSON.stringify(escalations)},"notChased":${JSON.stringify(notChased)}}\n`,
  );
}

/** The dry run for people: the counts, and the first contacts as a table. */
export async function dryRunText(
  parts: AsyncIterable<RunPlan>,
  header: RunHeader,
  shown = 50,
): Promise<string> {
  const counts = noCounts();
  const rows: PlannedContact[] = [];
  const escalated: string[] = [];
  for await (const part of parts) {
    countPlan(counts, part);
    rows.push(...part.contacts.slice(0, Math.max(0, shown - rows.length)));
    if (escalated.length < shown) escalated.push(...part.escalations.map((e) => e.customerId));
  }
  const lines = [
    `Dry run as of ${header.asOf}, policy "${header.policy}": nothing is sent.`,
    freshnessText(header.bank),
    "",
  ];
  if (counts.contacts === 0) lines.push("No contact is due.");
  else {
    const channels = Object.entries(counts.byChannel)
      .map(([channel, n]) => `${n} ${channel}`)
      .join(", ");
    lines.push(`${counts.contacts} contacts: ${channels}.`, "");
    lines.push(
      textTable(
        ["customer", "channel", "tone", "approval", "invoices (step)"],
        rows.map((c) => [
          c.customerId,
          c.fallbackFrom ? `${c.channel} (no ${c.fallbackFrom})` : c.channel,
          String(c.tone),
          c.needsApproval ? "needed" : "",
          listed(c.items.map((i) => `${i.number} (${i.stepId})`)),
        ]),
        new Set([2]),
      ),
    );
    if (counts.contacts > rows.length) {
      lines.push(`… and ${counts.contacts - rows.length} more (all of them with --json).`);
    }
  }
  if (counts.escalations > 0) {
    lines.push(
      "",
      `Proposed for escalation: ${listed(escalated, 20)}${counts.escalations > escalated.length ? ` (${counts.escalations} in all)` : ""}`,
    );
  }
  if (counts.held > 0) lines.push("", `Held back: ${counts.held} invoices (see --json).`);
  return lines.join("\n");
}

/** The first few entries and a count of the rest, to keep one contact on one line. */
function listed(entries: readonly string[], shown = 4): string {
  const head = entries.slice(0, shown).join(", ");
  return entries.length > shown ? `${head} and ${entries.length - shown} more` : head;
}
