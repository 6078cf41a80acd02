import type { Kysely } from "kysely";
import type { LedgerSchema } from "../db/schema.js";
import type { OutgoingContact } from "../dunning/channels/channel.js";
import { customerTimeZones } from "../ledger/domain/customer.js";
import type { PastContact } from "./domain/contact-caps.js";
import { type GuardVerdict, guardContact } from "./domain/contact-guard.js";
import { profileFor, type RuleProfile, type RuleProfiles } from "./domain/profile.js";

/** Call outcomes in which the debtor was reached and the debt talked about. */
const CONVERSATIONS = ["reached", "promise", "dispute"];

/**
 * Runs the guard for a contact about to go out: the debtor's profile, zones, and the earlier
 * contacts a cap on this channel counts (only read when the profile caps the channel).
 */
export async function guardOutgoing(
  db: Kysely<LedgerSchema>,
  rules: RuleProfiles,
  contact: OutgoingContact,
  now: string,
): Promise<{ profile: RuleProfile | undefined; verdict: GuardVerdict; zones: string[] }> {
  const { customer } = contact;
  const profile = profileFor(rules, customer);
  const zones = customerTimeZones(customer.timeZone, customer.country);
  if (!profile) return { profile, verdict: { kind: "allow" }, zones };
  const caps = profile.caps.filter((c) => c.channel === contact.channel);
  const instant = Date.parse(now);
  const history =
    caps.length === 0
      ? []
      : await pastContacts(
          db,
          contact,
          instant -
            (Math.max(...caps.map((c) => Math.max(c.days, c.quietDaysAfterConversation))) + 2) *
              86_400_000,
        );
  const verdict = guardContact(profile, {
    now: instant,
    channel: contact.channel,
    zones,
    debts: contact.invoices.map((i) => i.number),
    history,
  });
  return { profile, verdict, zones };
}

/**
 * Earlier contacts on the channel about the contact's invoices since `since`. A call counts
 * when its task was put on the worklist, and again as a conversation when it was logged as
 * one; other channels count what went out (sent, or in doubt).
 */
async function pastContacts(
  db: Kysely<LedgerSchema>,
  contact: OutgoingContact,
  since: number,
): Promise<PastContact[]> {
  const numbers = new Map(contact.invoices.map((i) => [i.id, i.number]));
  const after = new Date(since).toISOString();
  const sent = await db
    .selectFrom("outbox")
    .innerJoin("outbox_items as item", "item.outbox_id", "outbox.id")
    .leftJoin("tasks", "tasks.outbox_id", "outbox.id")
    .select(["item.invoice_id", "outbox.sent_at", "tasks.outcome", "tasks.done_at"])
    .where("outbox.channel", "=", contact.channel)
    .where("outbox.status", "in", ["sent", "in_doubt"])
    .where("outbox.customer_id", "=", contact.customer.id)
    .where("item.invoice_id", "in", [...numbers.keys()])
    .where("outbox.sent_at", ">=", after)
    .execute();
  return sent.flatMap((row) => {
    const debt = numbers.get(row.invoice_id) ?? row.invoice_id;
    const at = Date.parse(row.done_at ?? row.sent_at ?? after);
    return [{ debt, at, conversation: CONVERSATIONS.includes(row.outcome ?? "") }];
  });
}
