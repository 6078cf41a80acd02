import { type CapCheck, checkCap, type PastContact } from "./contact-caps.js";
import { checkContactWindow, clockText } from "./contact-window.js";
import { instantAt } from "./local-time.js";
import type { RuleProfile } from "./profile.js";

/** What the guard answers for one planned contact, with the rule that decided and why. */
export type GuardVerdict =
  | { readonly kind: "allow" }
  | {
      readonly kind: "delay";
      readonly until: number;
      readonly rule: string;
      readonly reason: string;
    }
  | { readonly kind: "refuse"; readonly rule: string; readonly reason: string };

export type GuardedContact = {
  /** The instant the contact would go out (ms since the epoch). */
  readonly now: number;
  readonly channel: string;
  /** The debtor's known time zones; the first is where its calendar days are counted. */
  readonly zones: readonly string[];
  /** The debts (invoices) the contact is about. */
  readonly debts: readonly string[];
  /** Earlier contacts on this channel about these debts, for the profile's cap. */
  readonly history: readonly PastContact[];
};

/**
 * The contact guard's time rules for one contact under one profile: first the channel's
 * frequency cap (which can push the contact to a later local day), then the contact window
 * on that day. Stops, disputes and holds are decided earlier, from the ledger.
 */
export function guardContact(profile: RuleProfile, contact: GuardedContact): GuardVerdict {
  const zone = contact.zones[0];
  if (!zone) {
    return {
      kind: "refuse",
      rule: "no-time-zone",
      reason: "the debtor's time zone is unknown, so a lawful contact time cannot be chosen",
    };
  }
  let at = contact.now;
  let capped: Extract<CapCheck, { allowed: false }> | undefined;
  let capRule: string | undefined;
  for (const cap of profile.caps.filter((c) => c.channel === contact.channel)) {
    const check = checkCap(cap, at, zone, contact.debts, contact.history);
    if (check.allowed) continue;
    capped = check;
    capRule = cap.rule;
    at = Math.max(at, instantAt(check.from, 0, zone));
  }
  const window = profile.contactWindow;
  let windowNote = "";
  let windowRule: string | undefined;
  if (window?.channels.includes(contact.channel)) {
    const check = checkContactWindow(at, contact.zones, window);
    if (!check.inside) {
      const hours = `${clockText(window.start)}–${clockText(window.end)}`;
      if (check.opensAt === null) {
        return {
          kind: "refuse",
          rule: window.rule,
          reason: `no time in the coming days is inside ${hours} in every one of the debtor's time zones (${contact.zones.join(", ")})`,
        };
      }
      windowRule = window.rule;
      windowNote = capped
        ? ` and then waits for ${hours} in ${check.zone}`
        : `outside ${hours} in ${check.zone} (it is ${check.localClock} there)`;
      at = check.opensAt;
    }
  }
  if (at <= contact.now) return { kind: "allow" };
  const when = new Date(at).toISOString();
  if (capped && capRule) {
    return {
      kind: "delay",
      until: at,
      rule: capRule,
      reason: `${capped.reason}; goes out from ${capped.from}${windowNote}, at ${when}`,
    };
  }
  return {
    kind: "delay",
    until: at,
    rule: windowRule ?? "window",
    reason: `${windowNote}; goes out when the window opens, at ${when}`,
  };
}
