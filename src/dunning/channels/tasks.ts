import type { Sender } from "../messages/index.js";
import { type MessageLibrary, renderCallScript } from "../messages/index.js";
import { type ChannelAdapter, messageInput, type OutgoingContact } from "./channel.js";

/**
 * Phone calls and escalations are tasks on a person's worklist: the customer's collector for
 * a call, the collections lead for an escalation. Keyed by the outbox row, so made once.
 */
export function taskChannel(
  kind: "call" | "escalation",
  library: MessageLibrary,
  sender: Sender,
): ChannelAdapter {
  return {
    idempotent: true,
    async deliver(contact, db) {
      const script =
        kind === "call"
          ? renderCallScript(library, messageInput(contact, sender, contact.asOf))
          : escalationNote(contact);
      const inserted = await db
        .insertInto("tasks")
        .values({
          key: `${kind}/${contact.outboxId}`,
          kind,
          customer_id: contact.customer.id,
          collector_id: kind === "call" ? contact.customer.collectorId : null,
          outbox_id: contact.outboxId,
          invoice_ids: JSON.stringify(contact.invoices.map((i) => i.id)),
          script,
          status: "open",
          created_at: new Date().toISOString(),
        })
        .onConflict((oc) => oc.column("key").doUpdateSet({ script }))
        .returning("id")
        .executeTakeFirstOrThrow();
      const who =
        kind === "call"
          ? (contact.customer.collectorId ?? "the collections team")
          : "the collections lead";
      return { outcome: "sent", note: `task ${inserted.id} on the worklist of ${who}` };
    },
  };
}

function escalationNote(contact: OutgoingContact): string {
  const invoices = contact.invoices
    .map((i) => `${i.number} (${i.daysOverdue} days overdue)`)
    .join(", ");
  return `Every reminder step has gone out to ${contact.customer.name} without payment for ${invoices}. Decide whether to hand the account to a collection agency, agree a payment plan, or write it off.`;
}
