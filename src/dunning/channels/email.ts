import { createHash } from "node:crypto";
import nodemailer from "nodemailer";
import type { Sender } from "../messages/index.js";
import { type MessageLibrary, renderEmail } from "../messages/index.js";
import { pdfRendererInWorker } from "../messages/pdf-renderer.js";
import { type ChannelAdapter, type Delivery, messageInput } from "./channel.js";

export type EmailSettings = {
  /** smtp://user:pass@host:port or smtps://… (OVERDUE_SMTP_URL). */
  readonly smtpUrl: string;
  /** The From address, optionally with a name: `Acme AB <billing@acme.example>` (OVERDUE_FROM). */
  readonly from: string;
  /** Connections kept open to the server. */
  readonly connections?: number;
};

/**
 * E-mail over SMTP through one pooled nodemailer transport. The Message-ID is derived from
 * the outbox key, so a message is the same message however often it is handed over.
 */
export function emailChannel(
  library: MessageLibrary,
  sender: Sender,
  settings: EmailSettings,
): ChannelAdapter {
  const transport = nodemailer.createTransport({
    url: settings.smtpUrl,
    pool: true,
    maxConnections: settings.connections ?? 5,
    maxMessages: Number.POSITIVE_INFINITY,
  });
  const statements = pdfRendererInWorker(library);
  const domain = /@([^>\s]+)>?\s*$/.exec(settings.from)?.[1] ?? "overdue.invalid";
  return {
    idempotent: false,
    async deliver(contact) {
      const to = contact.customer.email;
      if (!to) return { outcome: "permanent", error: "no e-mail address on file" };
      const input = messageInput(contact, sender, contact.asOf);
      const { subject, text, html } = renderEmail(library, input);
      const statement = await statements.render({ ...input, channel: "letter" });
      const messageId = `<${messageIdFor(contact.key)}@${domain}>`;
      try {
        await transport.sendMail({
          from: settings.from,
          to,
          subject,
          text,
          html,
          messageId,
          attachments: [
            {
              filename: `statement-${contact.asOf}.pdf`,
              content: statement,
              contentType: "application/pdf",
            },
          ],
        });
      } catch (error) {
        return smtpFailure(error);
      }
      return { outcome: "sent", messageId };
    },
    async close() {
      transport.close();
      await statements.close();
    },
  };
}

/** The left part of the Message-ID: a digest of the outbox key, stable across retries. */
export function messageIdFor(key: string): string {
  return `overdue.${createHash("sha256").update(key).digest("hex").slice(0, 32)}`;
}

/** SMTP 5xx replies are permanent; 4xx replies and network trouble are worth a retry. */
function smtpFailure(error: unknown): Delivery {
  const { responseCode, message } = error as { responseCode?: number; message?: string };
  const text = (message ?? String(error)).slice(0, 300);
  return responseCode !== undefined && responseCode >= 500 && responseCode < 600
    ? { outcome: "permanent", error: text }
    : { outcome: "temporary", error: text };
}
