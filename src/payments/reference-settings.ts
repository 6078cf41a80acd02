import { OverdueError } from "../kernel/errors.js";
import type { ReferenceSettings } from "./domain/reference.js";

const choice = <T extends string>(
  env: NodeJS.ProcessEnv,
  variable: string,
  allowed: readonly T[],
  fallback: T,
): T => {
  const value = (env[variable] ?? "").trim().toLowerCase();
  if (value === "") return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new OverdueError(
    "bad_setting",
    `${variable} is "${env[variable]}"; use one of ${allowed.join(", ")}`,
  );
};

/** OVERDUE_REFERENCE = rf (default) | ocr | none; OVERDUE_REFERENCE_PER = invoice (default) | customer. */
export function referenceSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ReferenceSettings {
  const scheme = choice(env, "OVERDUE_REFERENCE", ["rf", "ocr", "none"], "rf");
  const per = choice(env, "OVERDUE_REFERENCE_PER", ["invoice", "customer"], "invoice");
  const lengthDigit = choice(env, "OVERDUE_REFERENCE_LENGTH_DIGIT", ["yes", "no"], "no");
  return { scheme, per, ...(lengthDigit === "yes" ? { lengthDigit: true } : {}) };
}
