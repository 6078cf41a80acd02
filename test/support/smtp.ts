import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export type Received = {
  readonly messageId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachments: readonly { filename: string; contentType: string; content: Buffer }[];
};

export type TestSmtp = {
  /** smtp://127.0.0.1:PORT, for OVERDUE_SMTP_URL. */
  readonly url: string;
  /** Every message the server accepted, in order, duplicates included. */
  readonly messages: Received[];
  close(): Promise<void>;
};

/**
 * A real SMTP server in this process. `beforeAccept` runs once a message is stored and before
 * the server answers 250, the moment a crash leaves the sender not knowing the outcome.
 */
export async function startSmtp(
  options: {
    beforeAccept?: (message: Received) => void;
    refuse?: readonly string[];
    /** Answers 451 (try again later) to an address this many times, then accepts it. */
    defer?: Map<string, number>;
  } = {},
): Promise<TestSmtp> {
  const messages: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(address, _session, callback) {
      const deferrals = options.defer?.get(address.address) ?? 0;
      if (options.refuse?.includes(address.address)) {
        callback(Object.assign(new Error("mailbox unavailable"), { responseCode: 550 }));
      } else if (deferrals > 0) {
        options.defer?.set(address.address, deferrals - 1);
        callback(Object.assign(new Error("try again later"), { responseCode: 451 }));
      } else callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const message: Received = {
            messageId: mail.messageId ?? "",
            to: session.envelope.rcptTo.map((r) => r.address).join(","),
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : "",
            attachments: mail.attachments.map((a) => ({
              filename: a.filename ?? "",
              contentType: a.contentType,
              content: a.content,
            })),
          };
          messages.push(message);
          options.beforeAccept?.(message);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
