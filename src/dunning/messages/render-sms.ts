import { OverdueError } from "../../kernel/errors.js";
import { composeMessage, messageText } from "./compose-message.js";
import type { MessageInput } from "./message.js";
import type { MessageLibrary } from "./message-library.js";

/** Two concatenated SMS segments' worth: longer messages arrive split or get truncated. */
export const SMS_MAX_CHARACTERS = 320;

/**
 * Ever shorter: three invoice numbers (with their references), then one, then one line of
 * payment details and one contact.
 */
const ATTEMPTS = [
  { firstCount: 3, referenceCount: 3, brief: false },
  { firstCount: 1, referenceCount: 1, brief: false },
  { firstCount: 1, referenceCount: 1, brief: true },
] as const;

/**
 * An SMS on one line from `<tone>-sms.eta`, shortened step by step when it runs too long. Text
 * is never cut: a message still too long is an error to fix in the template or the sender's
 * payment instructions.
 */
export function renderSms(library: MessageLibrary, input: MessageInput): string {
  let text = "";
  let file = "";
  for (const attempt of ATTEMPTS) {
    const message = composeMessage(library, input, "sms", attempt);
    file = message.file;
    text = forSms(messageText(message));
    if ([...text].length <= SMS_MAX_CHARACTERS) return text;
  }
  throw new OverdueError(
    "sms_too_long",
    `${file} renders an SMS of ${[...text].length} characters, more than ${SMS_MAX_CHARACTERS}; ` +
      "shorten the template or the sender's payment instructions",
  );
}

/**
 * Plain spaces and hyphen-minus instead of Intl's no-break spaces and U+2212, which are not in
 * the GSM 7-bit alphabet and would force UCS-2 (70 characters a segment instead of 160).
 */
function forSms(text: string): string {
  return text
    .replace(/[\u00a0\u2007\u2009\u202f]/g, " ")
    .replaceAll("\u2212", "-")
    .replace(/\s+/g, " ")
    .trim();
}
