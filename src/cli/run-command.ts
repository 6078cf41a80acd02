import type { PlannedItem, RunPlan } from "../dunning/domain/plan-run.js";
import type { CalendarDate } from "../kernel/calendar-date.js";
import { currency, formatAmount } from "../kernel/money.js";
import { textTable } from "./output.js";

const items = (list: readonly PlannedItem[]) =>
  list.map((i) => ({
    invoiceId: i.invoiceId,
    number: i.number,
    stepId: i.stepId,
    open: formatAmount(i.openMinor, currency(i.currency)),
    currency: i.currency,
  }));

/** `overdue run --dry-run --json`: the contacts the run would make, and what it held back. */
export function runJson(plan: RunPlan, asOf: CalendarDate, policyName: string) {
  return {
    asOf,
    dryRun: true,
    policy: policyName,
    contacts: plan.contacts.map((c) => ({
      customerId: c.customerId,
      channel: c.channel,
      tone: c.tone,
      needsApproval: c.needsApproval,
      ...(c.fallbackFrom ? { fallbackFrom: c.fallbackFrom } : {}),
      invoices: items(c.items),
    })),
    escalations: plan.escalations.map((e) => ({
      customerId: e.customerId,
      invoices: items(e.items),
    })),
    notChased: plan.notChased,
  };
}

export function runText(plan: RunPlan, asOf: CalendarDate, policyName: string): string {
  const lines = [`Dry run as of ${asOf}, policy "${policyName}": nothing is sent.`, ""];
  if (plan.contacts.length === 0) lines.push("No contact is due.");
  else {
    lines.push(
      textTable(
        ["customer", "channel", "tone", "approval", "invoices (step)"],
        plan.contacts.map((c) => [
          c.customerId,
          c.fallbackFrom ? `${c.channel} (no ${c.fallbackFrom})` : c.channel,
          String(c.tone),
          c.needsApproval ? "needed" : "",
          listed(c.items.map((i) => `${i.number} (${i.stepId})`)),
        ]),
        new Set([2]),
      ),
    );
  }
  if (plan.escalations.length > 0) {
    lines.push(
      "",
      `Proposed for escalation: ${plan.escalations.map((e) => e.customerId).join(", ")}`,
    );
  }
  if (plan.notChased.length > 0)
    lines.push("", `Held back: ${plan.notChased.length} invoices (see --json).`);
  return lines.join("\n");
}

/** The first few entries and a count of the rest, to keep one contact on one line. */
function listed(entries: readonly string[], shown = 4): string {
  const head = entries.slice(0, shown).join(", ");
  return entries.length > shown ? `${head} and ${entries.length - shown} more` : head;
}
