import { currency } from "../../kernel/money.js";
import type { EpcCreditTransfer } from "../../payments/domain/epc-qr.js";
import { checkReference } from "../../payments/domain/reference.js";
import type { MessageInput } from "./message.js";
import { messageReference, type TemplateContext } from "./message-context.js";

/** EPC069-12: an amount of at most 999 999 999.99 EUR, a remittance of at most 140 characters. */
const MAX_MINOR = 99_999_999_999n;
const MAX_REMITTANCE = 140;

/**
 * The SEPA credit transfer a letter's EPC QR code holds, or null when the letter carries none:
 * the sender has no IBAN, an invoice is not in EUR, or the total is beyond what the code holds.
 *
 * The amount is the letter's open total. The reference goes where a bank app reads it: an RF
 * reference of the whole letter as the structured creditor reference; any other reference of
 * the whole letter (OCR, or an invoice number) as unstructured remittance. A letter about
 * several invoices with references of their own lists the invoice numbers as remittance
 * ("F-1001, F-1017"): one transfer can carry only one structured reference, and the matcher
 * finds invoice numbers in the text. A list longer than 140 characters gets no code rather than
 * a cut list that names only some of the invoices paid.
 */
export function letterCreditTransfer(
  input: MessageInput,
  context: TemplateContext,
): EpcCreditTransfer | null {
  const { iban, bic } = input.sender;
  if (!iban || !input.invoices.every((invoice) => invoice.currency === "EUR")) return null;
  const total = input.invoices.reduce((sum, invoice) => sum + invoice.openMinor, 0n);
  if (total < 1n || total > MAX_MINOR) return null;

  const reference = messageReference(input);
  const checked = reference ? checkReference(reference) : undefined;
  const remittance = reference || context.invoices.map((invoice) => invoice.number).join(", ");
  const payment =
    checked?.valid && checked.kind === "rf"
      ? { creditorReference: checked.reference }
      : [...remittance].length <= MAX_REMITTANCE
        ? { remittance }
        : null;
  if (!payment) return null;
  return {
    name: context.sender.name,
    iban,
    ...(bic ? { bic } : {}),
    amount: { minor: total, currency: currency("EUR") },
    ...payment,
  };
}
