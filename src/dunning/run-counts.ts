import type { RunPlan } from "./domain/plan-run.js";

/** How many contacts of each channel a run makes, what it proposes and what it holds back. */
export type RunCounts = {
  contacts: number;
  byChannel: Record<string, number>;
  escalations: number;
  held: number;
};

export function countPlan(counts: RunCounts, part: RunPlan): RunCounts {
  for (const c of part.contacts)
    counts.byChannel[c.channel] = (counts.byChannel[c.channel] ?? 0) + 1;
  counts.contacts += part.contacts.length;
  counts.escalations += part.escalations.length;
  counts.held += part.notChased.length;
  return counts;
}

export const noCounts = (): RunCounts => ({ contacts: 0, byChannel: {}, escalations: 0, held: 0 });
