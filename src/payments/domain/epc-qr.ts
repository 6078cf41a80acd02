import { electronicFormatIBAN, isSEPACountry, isValidBIC, isValidIBAN } from "ibantools";
import encodeQR from "qr";
import { OverdueError } from "../../kernel/errors.js";
import { formatAmount, type Money } from "../../kernel/money.js";
import { checkReference } from "./reference.js";

/**
 * A SEPA credit transfer as an EPC QR code ("GiroCode") holds it: EPC069-12, "Quick Response
 * Code: Guidelines to Enable Data Capture for the Initiation of a SEPA Credit Transfer",
 * version 002 (BIC optional within the EEA).
 */
export type EpcCreditTransfer = {
  /** AT-21, the beneficiary's name: 1–70 characters. */
  readonly name: string;
  /** AT-20, the beneficiary's IBAN (spaces allowed); a SEPA country's. */
  readonly iban: string;
  /** AT-23, the beneficiary bank's BIC: optional in version 002. */
  readonly bic?: string;
  /** AT-04, in EUR: 0.01–999 999 999.99. */
  readonly amount: Money;
  /** AT-05 structured: an ISO 11649 RF creditor reference. Never with `remittance`. */
  readonly creditorReference?: string;
  /** AT-05 unstructured: free text up to 140 characters. Never with `creditorReference`. */
  readonly remittance?: string;
};

/** EPC069-12 section 3.4: the payload fits QR version 13 at level M, 331 bytes. */
export const EPC_MAX_PAYLOAD_BYTES = 331;
const MAX_NAME = 70;
const MAX_REMITTANCE = 140;
const MAX_MINOR = 99_999_999_999n;

const refuse = (problem: string): never => {
  throw new OverdueError("bad_epc_transfer", `EPC QR code: ${problem}`);
};

/**
 * The text an EPC QR code encodes, one data element a line (LF), in the guidelines' order:
 * service tag BCD, version 002, character set 1 (UTF-8), identification SCT, BIC, name, IBAN,
 * amount ("EUR12.30"), purpose (left empty), structured reference, unstructured remittance.
 * Nothing follows the last element that has a value, as the guidelines ask. Throws an
 * OverdueError naming the element that cannot be encoded.
 */
export function epcQrPayload(transfer: EpcCreditTransfer): string {
  const name = transfer.name.trim();
  // A line break in any element would shift every element after it.
  for (const [label, value] of [
    ["the beneficiary name", name],
    ["the remittance information", transfer.remittance ?? ""],
  ] as const) {
    if (/\p{Cc}/u.test(value)) refuse(`${label} must be one line without control characters`);
  }
  if (name === "") refuse("the beneficiary name is empty");
  if ([...name].length > MAX_NAME) {
    refuse(
      `the beneficiary name "${name}" has ${[...name].length} characters, at most ${MAX_NAME}`,
    );
  }

  const iban = electronicFormatIBAN(transfer.iban) ?? "";
  if (!isValidIBAN(iban)) refuse(`"${transfer.iban}" is not a valid IBAN`);
  if (!isSEPACountry(iban.slice(0, 2))) {
    refuse(`${iban} is not in a SEPA country; a SEPA credit transfer cannot reach it`);
  }
  const bic = (transfer.bic ?? "").replace(/\s+/g, "").toUpperCase();
  if (bic !== "" && !isValidBIC(bic)) refuse(`"${transfer.bic}" is not a valid BIC`);

  const { amount } = transfer;
  if (amount.currency.code !== "EUR") {
    refuse(`the amount is in ${amount.currency.code}; a SEPA credit transfer is in EUR`);
  }
  if (amount.minor < 1n || amount.minor > MAX_MINOR) {
    refuse(
      `the amount ${formatAmount(amount.minor, amount.currency)} EUR is outside 0.01–999999999.99`,
    );
  }

  const reference = transfer.creditorReference?.trim() ?? "";
  const remittance = transfer.remittance?.trim() ?? "";
  if (reference !== "" && remittance !== "") {
    refuse("a structured creditor reference and unstructured remittance cannot both be given");
  }
  let structured = "";
  if (reference !== "") {
    const checked = checkReference(reference);
    if (!checked.valid || checked.kind !== "rf") {
      refuse(`"${reference}" is not a valid ISO 11649 RF creditor reference`);
    } else {
      structured = checked.reference;
    }
  }
  if ([...remittance].length > MAX_REMITTANCE) {
    refuse(`the remittance information has ${[...remittance].length} characters, at most 140`);
  }

  const elements = [
    "BCD",
    "002",
    "1",
    "SCT",
    bic,
    name,
    iban,
    `EUR${formatAmount(amount.minor, amount.currency)}`,
    "",
    structured,
    remittance,
  ];
  while (elements.at(-1) === "") elements.pop();
  const payload = elements.join("\n");
  const bytes = Buffer.byteLength(payload, "utf8");
  if (bytes > EPC_MAX_PAYLOAD_BYTES) {
    refuse(`the payload is ${bytes} bytes, more than the ${EPC_MAX_PAYLOAD_BYTES} allowed`);
  }
  return payload;
}

/**
 * The QR symbol for an EPC payload: rows of modules, `true` for dark, without the quiet zone
 * (a printer leaves four light modules around it). Error correction level M, as EPC069-12
 * requires; byte mode, so the UTF-8 text is encoded as it is.
 */
export function epcQrModules(payload: string): boolean[][] {
  // qr always adds a light border; ask for one module and cut it off.
  const withBorder = encodeQR(payload, "raw", { ecc: "medium", encoding: "byte", border: 1 });
  return withBorder.slice(1, -1).map((row) => row.slice(1, -1));
}
