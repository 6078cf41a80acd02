import { currency, formatAmount, formatAmountForHumans } from "../kernel/money.js";
import type { AgingReport, CurrencyAging } from "../ledger/aging-report.js";
import { AGING_BUCKETS, DSO_WINDOW_DAYS, formatTenths } from "../ledger/domain/aging.js";
import { textTable } from "./output.js";

/** The `aging --json` contract: amounts as decimal strings in the currency's digits. */
export function agingJson(report: AgingReport) {
  const figures = (row: CurrencyAging) => {
    const cur = currency(row.currency);
    const out: Record<string, string | number> = { currency: row.currency };
    for (const bucket of AGING_BUCKETS) out[bucket] = formatAmount(row[bucket], cur);
    out.total = formatAmount(row.total, cur);
    out.overdueCount = row.overdueCount;
    return out;
  };
  return {
    asOf: report.asOf,
    totals: report.totals.map(figures),
    customers: report.customers.map((c) => ({
      customerId: c.customerId,
      name: c.name,
      ...figures(c),
    })),
    dso: report.dso.map((d) => ({
      currency: d.currency,
      days: d.dsoTenths === null ? null : formatTenths(d.dsoTenths),
      method: `standard, ${DSO_WINDOW_DAYS}-day window`,
    })),
  };
}

const HEADINGS = ["current", "1-30", "31-60", "61-90", "91+", "total"];

export function agingText(report: AgingReport, limit: number | null): string {
  const out: string[] = [`Receivables aging as of ${report.asOf}`];
  if (report.totals.length === 0) {
    out.push("", "No open invoices.");
    return out.join("\n");
  }
  const amounts = (row: CurrencyAging) => {
    const cur = currency(row.currency);
    return [...AGING_BUCKETS.map((b) => row[b]), row.total].map((m) =>
      formatAmountForHumans(m, cur),
    );
  };
  const numeric = new Set([1, 2, 3, 4, 5, 6, 7, 8]);
  const dso = new Map(report.dso.map((d) => [d.currency, d.dsoTenths]));
  out.push(
    "",
    textTable(
      ["currency", ...HEADINGS, "overdue", "DSO"],
      report.totals.map((t) => {
        const days = dso.get(t.currency);
        return [
          t.currency,
          ...amounts(t),
          String(t.overdueCount),
          days == null ? "-" : formatTenths(days),
        ];
      }),
      numeric,
    ),
  );
  for (const total of report.totals) {
    const rows = report.customers
      .filter((c) => c.currency === total.currency)
      .sort((a, b) => compareOverdue(b, a));
    const shown = limit === null ? rows : rows.slice(0, limit);
    out.push(
      "",
      `${total.currency} by customer, most overdue first${shown.length < rows.length ? ` (top ${shown.length} of ${rows.length}; --all for every customer)` : ""}`,
      textTable(
        ["customer", "name", ...HEADINGS, "overdue"],
        shown.map((c) => [
          c.customerId,
          truncate(c.name, 28),
          ...amounts(c),
          String(c.overdueCount),
        ]),
        new Set([2, 3, 4, 5, 6, 7, 8]),
      ),
    );
  }
  out.push(
    "",
    `DSO: standard method, receivables ÷ sales of the last ${DSO_WINDOW_DAYS} days × ${DSO_WINDOW_DAYS}.`,
  );
  return out.join("\n");
}

/** Oldest money first: 91+ outranks 61-90 and so on, then the total. */
function compareOverdue(a: CurrencyAging, b: CurrencyAging): number {
  for (const bucket of [...AGING_BUCKETS].reverse()) {
    if (a[bucket] !== b[bucket]) return a[bucket] < b[bucket] ? -1 : 1;
  }
  return a.total === b.total ? 0 : a.total < b.total ? -1 : 1;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
