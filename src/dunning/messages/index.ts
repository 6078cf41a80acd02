export { loadMessageLibrary } from "./load-message-library.js";
export type {
  MessageCharge,
  MessageInput,
  MessageInvoice,
  Recipient,
  Sender,
} from "./message.js";
export type { TemplateContext } from "./message-context.js";
export {
  type MessageLibrary,
  TEMPLATE_KINDS,
  type TemplateKind,
} from "./message-library.js";
export { renderCallScript } from "./render-call-script.js";
export { type RenderedEmail, renderEmail } from "./render-email.js";
export { renderLetterPdf, renderLetterText } from "./render-letter-pdf.js";
export { renderSms, SMS_MAX_CHARACTERS } from "./render-sms.js";
export { sampleMessageInput } from "./sample-message.js";
