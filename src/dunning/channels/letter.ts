import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Sender } from "../messages/index.js";
import { type MessageLibrary, renderLetterPdf } from "../messages/index.js";
import { type ChannelAdapter, messageInput } from "./channel.js";

/**
 * Letters are PDF files for the post, one folder per business day. Writing the same letter
 * again after a crash overwrites the same file, so a retry never makes a second letter.
 */
export function letterChannel(
  library: MessageLibrary,
  sender: Sender,
  dir: string,
): ChannelAdapter {
  return {
    idempotent: true,
    async deliver(contact) {
      if (contact.customer.addressLines.length === 0) {
        return { outcome: "permanent", error: "the customer has no postal address" };
      }
      const pdf = await renderLetterPdf(library, messageInput(contact, sender, contact.asOf));
      const folder = join(dir, contact.asOf);
      await mkdir(folder, { recursive: true });
      const file = join(folder, `${contact.outboxId}-${safeName(contact.customer.id)}.pdf`);
      await writeFile(`${file}.part`, pdf);
      await rename(`${file}.part`, file);
      const post =
        contact.channel === "certified_letter"
          ? `; for registered post: record its tracking number with overdue letter posted ${contact.outboxId} --tracking NO`
          : "";
      return { outcome: "sent", document: file, note: `letter written to ${file}${post}` };
    },
  };
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60);
}
