import type { Kysely } from "kysely";
import type { LedgerSchema } from "../db/schema.js";
import { type CalendarDate, daysBetween } from "../kernel/calendar-date.js";
import { OverdueError } from "../kernel/errors.js";

/** The channels that ask a customer for money in writing: held while the bank data is stale. */
export const CHANNELS_HELD_WHEN_STALE = ["email", "letter", "certified_letter"] as const;

export type BankFreshness = {
  /** The last day the newest imported statement covers, on or before the day asked about. */
  readonly newestStatement: CalendarDate | null;
  /** Days from that day to the day asked about; null when no statement was ever imported. */
  readonly ageDays: number | null;
  /** The limit set by OVERDUE_HOLD_WHEN_BANK_OLDER_THAN (days), if any. */
  readonly maxAgeDays: number | null;
  /** True when e-mail and letters wait because the newest statement is older than the limit. */
  readonly holding: boolean;
};

/**
 * How old the bank data is on `date`: the later of the newest statement's end date and its
 * newest booking. Statements dated after `date` do not count, so a back-dated run sees what
 * it would have seen then.
 */
export async function bankFreshness(
  db: Kysely<LedgerSchema>,
  date: CalendarDate,
  maxAgeDays: number | null,
): Promise<BankFreshness> {
  const statement = await db
    .selectFrom("bank_statements")
    .select((eb) => eb.fn.max("to_date").as("newest"))
    .where("to_date", "<=", date)
    .executeTakeFirst();
  const line = await db
    .selectFrom("bank_lines")
    .select((eb) => eb.fn.max("booking_date").as("newest"))
    .where("booking_date", "<=", date)
    .executeTakeFirst();
  const candidates = [statement?.newest, line?.newest].filter(
    (d): d is string => typeof d === "string",
  );
  const newest = candidates.length > 0 ? (candidates.sort().at(-1) as CalendarDate) : null;
  const ageDays = newest ? daysBetween(newest, date) : null;
  const holding = maxAgeDays !== null && (ageDays === null || ageDays > maxAgeDays);
  return { newestStatement: newest, ageDays, maxAgeDays, holding };
}

/** OVERDUE_HOLD_WHEN_BANK_OLDER_THAN: off when unset or empty. */
export function maxBankAgeFromEnv(env: NodeJS.ProcessEnv = process.env): number | null {
  const text = env.OVERDUE_HOLD_WHEN_BANK_OLDER_THAN?.trim();
  if (!text) return null;
  if (!/^\d+$/.test(text)) {
    throw new OverdueError(
      "bad_setting",
      `OVERDUE_HOLD_WHEN_BANK_OLDER_THAN must be a whole number of days, not "${text}"`,
    );
  }
  return Number(text);
}

/** A sentence for the run's report, or null when there is nothing to say. */
export function describeFreshness(freshness: BankFreshness): string | null {
  if (!freshness.holding) return null;
  const age =
    freshness.newestStatement === null
      ? "no bank statement has been imported"
      : `the newest bank statement ends ${freshness.newestStatement}, ${freshness.ageDays} days ago`;
  return `e-mail and letters wait in the outbox: ${age} (limit ${freshness.maxAgeDays} days); import a statement with \`overdue bank import\``;
}
