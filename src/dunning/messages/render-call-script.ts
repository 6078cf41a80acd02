import { composeMessage, messageText } from "./compose-message.js";
import type { MessageInput } from "./message.js";
import type { MessageLibrary } from "./message-library.js";

/** What the collector says and asks on the call, and how to record the outcome, from `<tone>-call.eta`. */
export function renderCallScript(library: MessageLibrary, input: MessageInput): string {
  return messageText(composeMessage(library, input, "call"));
}
