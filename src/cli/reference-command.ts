import type { Command } from "commander";
import {
  type CheckedReference,
  checkReference,
  formatRfForPrint,
  ocrReference,
  rfReference,
} from "../payments/domain/reference.js";
import { printJson } from "./output.js";

const KIND_NAMES = {
  rf: "RF creditor reference (ISO 11649)",
  ocr: "OCR reference (Bankgirot)",
} as const;

/**
 * `overdue reference rf|ocr BASE` prints a payment reference; `overdue reference check REF`
 * says whether one is valid and which kind, and exits 0 when it is, 1 when not (scripts and
 * the acceptance checks rely on the exit code).
 */
export function registerReferenceCommands(program: Command): void {
  const reference = program
    .command("reference")
    .description("payment references: make an RF or OCR reference, or check one");

  reference
    .command("rf")
    .description("print the ISO 11649 RF creditor reference for BASE (1–21 letters and digits)")
    .argument("<base>", "what the reference names, such as an invoice number without punctuation")
    .option("--print", "in groups of four, as on paper")
    .action((base: string, options: { print?: boolean }) => {
      const made = rfReference(base);
      process.stdout.write(`${options.print ? formatRfForPrint(made) : made}\n`);
    });

  reference
    .command("ocr")
    .description(
      "print the Swedish OCR reference (Bankgirot) for BASE: its digits and a check digit",
    )
    .argument("<base>", "digits; the reference has at most 25")
    .option("--length-digit", "add the length digit before the check digit")
    .action((base: string, options: { lengthDigit?: boolean }) => {
      process.stdout.write(`${ocrReference(base, { lengthDigit: options.lengthDigit })}\n`);
    });

  reference
    .command("check")
    .description("say whether REF is a valid RF or OCR reference (exit 0) or not (exit 1)")
    .argument("<ref...>", "the reference; spaces and lower case are fine")
    .option("--json", "print the result as JSON")
    .action((parts: string[], options: { json?: boolean }) => {
      const checked = checkReference(parts.join(" "));
      if (options.json) printJson(checked);
      else process.stdout.write(`${checkText(checked)}\n`);
      if (!checked.valid) process.exitCode = 1;
    });
}

function checkText(checked: CheckedReference): string {
  if (!checked.valid) return `not a valid payment reference: ${checked.problem}`;
  const shown = checked.kind === "rf" ? formatRfForPrint(checked.reference) : checked.reference;
  const length =
    checked.kind === "ocr"
      ? checked.lengthDigit
        ? ", with a length digit"
        : ", without a length digit"
      : "";
  return `${shown}: valid ${KIND_NAMES[checked.kind]}${length}, base ${checked.base}`;
}
