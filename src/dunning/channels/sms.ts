import type { Sender } from "../messages/index.js";
import { type MessageLibrary, renderSms } from "../messages/index.js";
import { type ChannelAdapter, type Delivery, messageInput } from "./channel.js";

/** Whoever carries an SMS to a phone. */
export type SmsProvider = {
  readonly name: string;
  send(message: { to: string; text: string; idempotencyKey: string }): Promise<Delivery>;
};

/** Delivers nothing: the text goes to the contact log, and the SMS counts as sent. */
export const developmentSmsProvider: SmsProvider = {
  name: "development",
  async send({ to, text }) {
    return { outcome: "sent", note: `development SMS provider, not delivered; to ${to}: ${text}` };
  },
};

/**
 * A provider with a JSON-over-HTTP API: POST {to, from, text} with a bearer token. The
 * Idempotency-Key lets a provider that supports it drop a repeat after a lost reply.
 */
export function httpSmsProvider(options: {
  url: string;
  token?: string;
  from?: string;
}): SmsProvider {
  return {
    name: "http",
    async send({ to, text, idempotencyKey }) {
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "idempotency-key": idempotencyKey,
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
          body: JSON.stringify({ to, from: options.from, text }),
          signal: AbortSignal.timeout(15_000),
        });
      } catch (error) {
        return {
          outcome: "temporary",
          error: `SMS provider unreachable: ${(error as Error).message}`,
        };
      }
      if (response.ok)
        return { outcome: "sent", note: `SMS accepted by ${new URL(options.url).host}` };
      const error = `SMS provider answered ${response.status}`;
      return response.status === 429 || response.status >= 500
        ? { outcome: "temporary", error }
        : { outcome: "permanent", error };
    },
  };
}

export function smsChannel(
  library: MessageLibrary,
  sender: Sender,
  provider: SmsProvider,
): ChannelAdapter {
  return {
    idempotent: false,
    async deliver(contact) {
      if (!contact.customer.phone)
        return { outcome: "permanent", error: "no phone number on file" };
      const text = renderSms(library, messageInput(contact, sender, contact.asOf));
      return provider.send({ to: contact.customer.phone, text, idempotencyKey: contact.key });
    },
  };
}
