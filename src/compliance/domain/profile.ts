import { z } from "zod";

/**
 * Who collects, as the FDCPA sees it (15 U.S.C. 1692a(6)): a creditor collecting its own
 * debts in its own name is not a "debt collector"; an agency, a debt buyer, or a creditor
 * using another name is.
 */
export const COLLECTOR_ROLES = [
  "creditor_own_name",
  "creditor_other_name",
  "third_party_agency",
  "debt_buyer",
] as const;
export type CollectorRole = (typeof COLLECTOR_ROLES)[number];

const clock = z
  .string()
  .regex(/^([01]\d|2[0-4]):[0-5]\d$/, "must be a local time such as 08:00")
  .transform((text) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3)));

const ruleRef = { rule: z.string().min(1), cite: z.string().min(1) };

const windowSchema = z
  .object({
    start: clock,
    end: clock,
    channels: z.array(z.string().min(1)),
    ...ruleRef,
  })
  .refine((w) => w.start < w.end, { message: "start must come before end" });

const capSchema = z.object({
  channel: z.string().min(1),
  max: z.number().int().min(1),
  days: z.number().int().min(1).max(60),
  quietDaysAfterConversation: z.number().int().min(0).max(60).default(0),
  rule: z.string().min(1),
  cite: z.string().default("best practice"),
});

const profileSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  when: z
    .object({
      countries: z.array(z.string().regex(/^[A-Z]{2}$/)).optional(),
      kinds: z.array(z.enum(["business", "consumer"])).optional(),
      collectorRoles: z.array(z.enum(COLLECTOR_ROLES)).optional(),
    })
    .strict(),
  binding: z.boolean(),
  contactWindow: windowSchema.optional(),
  caps: z.array(capSchema).default([]),
  disputes: z.object({ resumeOnlyAfterVerification: z.boolean(), ...ruleRef }).optional(),
  validationNotice: z
    .object({
      sendWithinDays: z.number().int().min(0),
      assumedReceiptBusinessDays: z.number().int().min(0),
      periodDays: z.number().int().min(1),
      holidays: z.string().regex(/^[A-Z]{2}$/),
      ...ruleRef,
    })
    .optional(),
  /** Every e-mail and text says how to opt out of more (12 CFR 1006.6(e), US-ELEC-01). */
  optOutNotice: z.object(ruleRef).optional(),
  recordRetentionYears: z.number().int().min(1),
});

export const profilesFileSchema = z.object({
  about: z.string().optional(),
  collectorRole: z.enum(COLLECTOR_ROLES),
  profiles: z.array(profileSchema).min(1),
});

export type RuleProfile = z.infer<typeof profileSchema>;
export type ContactWindow = NonNullable<RuleProfile["contactWindow"]>;
export type ContactCap = RuleProfile["caps"][number];
export type RuleProfiles = {
  readonly collectorRole: CollectorRole;
  readonly profiles: readonly RuleProfile[];
};

export type Debtor = { readonly country: string; readonly kind: string };

/** The first profile whose conditions all hold; the file's last profile should match anyone. */
export function profileFor(rules: RuleProfiles, debtor: Debtor): RuleProfile | undefined {
  return rules.profiles.find(
    ({ when }) =>
      (!when.countries || when.countries.includes(debtor.country)) &&
      (!when.kinds || when.kinds.includes(debtor.kind as "business" | "consumer")) &&
      (!when.collectorRoles || when.collectorRoles.includes(rules.collectorRole)),
  );
}
