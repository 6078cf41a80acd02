import { type Command, InvalidArgumentError } from "commander";
import { sealingAfter } from "../audit/seal-audit-log.js";
import { type Database, DEFAULT_DATABASE, openDatabase } from "../db/database.js";
import { type CalendarDate, dateInZone, parseCalendarDate } from "../kernel/calendar-date.js";

export function asOfDate(text: string): CalendarDate {
  const parsed = parseCalendarDate(text);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.problem);
  return parsed.value;
}

/** `--at`: an ISO 8601 instant with a zone, stored as UTC so instants compare as text. */
export function instant(text: string): string {
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(text);
  const time = Date.parse(text);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(text) || !hasZone || Number.isNaN(time)) {
    throw new InvalidArgumentError(
      "must be an ISO 8601 timestamp with a time zone, e.g. 2026-03-05T09:30:00+01:00",
    );
  }
  return new Date(time).toISOString();
}

export function today(): CalendarDate {
  return dateInZone(new Date(), Intl.DateTimeFormat().resolvedOptions().timeZone);
}

function databaseUrl(command: Command): string {
  const { db } = command.optsWithGlobals<{ db?: string }>();
  return db ?? process.env.OVERDUE_DATABASE_URL ?? DEFAULT_DATABASE;
}

export async function withDatabase<T>(
  command: Command,
  work: (database: Database) => Promise<T>,
): Promise<T> {
  const database = await openDatabase(databaseUrl(command));
  try {
    // What a command logged joins the audit chain before it exits (docs/audit.md).
    return await sealingAfter(database, work, (error) => {
      const reason = error instanceof Error ? error.message : String(error);
      process.stderr.write(
        `overdue: warning: the audit log was not sealed (${reason}); the next command that logs seals it\n`,
      );
    });
  } finally {
    await database.close();
  }
}

/** Who records an action: OVERDUE_USER, else the system user. */
export function currentUser(): string {
  return process.env.OVERDUE_USER ?? process.env.USER ?? "cli";
}
