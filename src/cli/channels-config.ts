import { electronicFormatIBAN, isSEPACountry, isValidBIC, isValidIBAN } from "ibantools";
import type { ChannelAdapter } from "../dunning/channels/channel.js";
import { emailChannel } from "../dunning/channels/email.js";
import { letterChannel } from "../dunning/channels/letter.js";
import { developmentSmsProvider, httpSmsProvider, smsChannel } from "../dunning/channels/sms.js";
import { taskChannel } from "../dunning/channels/tasks.js";
import { loadMessageLibrary, type Sender } from "../dunning/messages/index.js";
import { OverdueError } from "../kernel/errors.js";
import { referenceSettingsFromEnv } from "../payments/reference-settings.js";

export type ConfiguredChannels = {
  readonly channels: Readonly<Record<string, ChannelAdapter | undefined>>;
  /** Why a channel cannot send, to tell the user: e-mail without OVERDUE_SMTP_URL. */
  readonly missing: readonly string[];
  /** Contacts on their way out at once: one per SMTP connection. */
  readonly concurrency: number;
  close(): Promise<void>;
};

/**
 * The sender printed on letters and e-mails, from the environment, with how its payment
 * references are made (OVERDUE_REFERENCE, OVERDUE_REFERENCE_PER, OVERDUE_REFERENCE_LENGTH_DIGIT)
 * and the account a letter's EPC QR code pays to (OVERDUE_IBAN, OVERDUE_BIC). A setting that
 * cannot work is refused here, naming the variable, rather than on the first letter.
 */
export function senderFromEnv(env: NodeJS.ProcessEnv = process.env): Sender {
  const from = env.OVERDUE_FROM ?? "";
  const displayName = /^\s*"?([^"<]+?)"?\s*</.exec(from)?.[1];
  const address = /<([^>]+)>/.exec(from)?.[1] ?? (from.includes("@") ? from.trim() : undefined);
  const name = env.OVERDUE_COMPANY_NAME ?? displayName ?? "Accounts receivable";
  return {
    name,
    addressLines: (env.OVERDUE_COMPANY_ADDRESS ?? "")
      .split(/\s*[;\n]\s*/)
      .filter((line) => line.length > 0),
    ...(address ? { email: address } : {}),
    ...(env.OVERDUE_COMPANY_PHONE ? { phone: env.OVERDUE_COMPANY_PHONE } : {}),
    ...(env.OVERDUE_PAYMENT_INSTRUCTIONS
      ? { paymentInstructions: env.OVERDUE_PAYMENT_INSTRUCTIONS }
      : {}),
    ...paymentAccountFromEnv(env, name),
    references: referenceSettingsFromEnv(env),
  };
}

/** The EPC QR code names the account holder in at most 70 characters (EPC069-12, AT-21). */
const EPC_MAX_NAME = 70;

function paymentAccountFromEnv(
  env: NodeJS.ProcessEnv,
  name: string,
): { iban?: string; bic?: string } {
  const given = env.OVERDUE_IBAN?.trim();
  if (!given) {
    if (env.OVERDUE_BIC?.trim()) {
      throw new OverdueError("bad_setting", "OVERDUE_BIC is set without OVERDUE_IBAN");
    }
    return {};
  }
  const iban = electronicFormatIBAN(given) ?? "";
  if (!isValidIBAN(iban)) {
    throw new OverdueError("bad_setting", `OVERDUE_IBAN "${given}" is not a valid IBAN`);
  }
  if (!isSEPACountry(iban.slice(0, 2))) {
    throw new OverdueError(
      "bad_setting",
      `OVERDUE_IBAN ${iban} is not in a SEPA country; the EPC QR code on letters is a SEPA credit transfer`,
    );
  }
  if ([...name.trim()].length > EPC_MAX_NAME) {
    throw new OverdueError(
      "bad_setting",
      `with OVERDUE_IBAN, letters carry an EPC QR code whose account holder name has at most ` +
        `${EPC_MAX_NAME} characters; the company name "${name}" is longer (set OVERDUE_COMPANY_NAME)`,
    );
  }
  const bic = env.OVERDUE_BIC?.replace(/\s+/g, "").toUpperCase();
  if (bic && !isValidBIC(bic)) {
    throw new OverdueError("bad_setting", `OVERDUE_BIC "${env.OVERDUE_BIC}" is not a valid BIC`);
  }
  return { iban, ...(bic ? { bic } : {}) };
}

/**
 * Every channel the environment allows: e-mail needs OVERDUE_SMTP_URL and OVERDUE_FROM;
 * letters go to OVERDUE_LETTER_DIR (default ./letters); SMS go to the HTTP provider at
 * OVERDUE_SMS_URL, or to the development provider; calls and escalations are tasks.
 * OVERDUE_SMTP_CONNECTIONS (default 5) sets how many e-mails are on their way at once.
 */
export async function channelsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConfiguredChannels> {
  const library = await loadMessageLibrary(env.OVERDUE_TEMPLATE_DIR);
  const sender = senderFromEnv(env);
  const missing: string[] = [];
  const connections = Number.parseInt(env.OVERDUE_SMTP_CONNECTIONS ?? "5", 10);
  const concurrency = Number.isInteger(connections) && connections > 0 ? connections : 5;
  let email: ChannelAdapter | undefined;
  if (env.OVERDUE_SMTP_URL && env.OVERDUE_FROM) {
    email = emailChannel(library, sender, {
      smtpUrl: env.OVERDUE_SMTP_URL,
      from: env.OVERDUE_FROM,
      connections: concurrency,
    });
  } else {
    missing.push("e-mail waits in the outbox: set OVERDUE_SMTP_URL and OVERDUE_FROM to send it");
  }
  const letters = letterChannel(library, sender, env.OVERDUE_LETTER_DIR ?? "./letters");
  const sms = smsChannel(
    library,
    sender,
    env.OVERDUE_SMS_URL
      ? httpSmsProvider({
          url: env.OVERDUE_SMS_URL,
          ...(env.OVERDUE_SMS_TOKEN ? { token: env.OVERDUE_SMS_TOKEN } : {}),
          ...(env.OVERDUE_SMS_FROM ? { from: env.OVERDUE_SMS_FROM } : {}),
        })
      : developmentSmsProvider,
  );
  return {
    channels: {
      email,
      letter: letters,
      certified_letter: letters,
      sms,
      call: taskChannel("call", library, sender),
      escalation: taskChannel("escalation", library, sender),
    },
    missing,
    concurrency,
    close: async () => {
      await email?.close?.();
    },
  };
}
