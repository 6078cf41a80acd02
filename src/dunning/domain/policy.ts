import { z } from "zod";
import {
  CUSTOMER_RISKS,
  type CustomerKind,
  type CustomerRisk,
} from "../../ledger/domain/customer.js";

export const CHANNELS = ["email", "letter", "certified_letter", "sms", "call"] as const;
export type Channel = (typeof CHANNELS)[number];

/** 1 friendly · 2 clear · 3 firm · 4 final notice. Never rude at any level. */
export type Tone = 1 | 2 | 3 | 4;

export type PolicyStep = {
  readonly id: string;
  /** Days after the due date; negative for a courtesy note before it. */
  readonly offsetDays: number;
  readonly channels: readonly Channel[];
  readonly tone: Tone;
  readonly template?: string;
  /**
   * What the step adds to the open amounts, where the debtor's law allows it: statutory
   * interest, the fixed compensation for recovery costs, and the reminder fee (only where the
   * policy says it was agreed). See docs/interest.md.
   */
  readonly charges?: readonly StepCharge[];
  /** A person approves the contact before it goes out. */
  readonly requiresApproval: boolean;
  /** Chase an invoice on this step only when at least this much is open, per currency. */
  readonly minBalance?: Readonly<Record<string, string>>;
  /** The step hands the account to the collections lead with a proposal to escalate. */
  readonly escalate: boolean;
};

export type PolicySegment = {
  readonly kind?: CustomerKind;
  readonly countries?: readonly string[];
  /** The customers rated so; an unrated customer is in no risk segment. */
  readonly risks?: readonly CustomerRisk[];
};

export type Policy = {
  readonly name: string;
  /** Least days between two contacts about the same invoice. */
  readonly minGapDays: number;
  /** Steps that fall on a weekend or public holiday of the debtor's country go out the next business day. */
  readonly businessDaysOnly: boolean;
  readonly segment?: PolicySegment;
  /** The customers agreed to a reminder fee when their debts arose (SE-FEE-01). */
  readonly reminderFeeAgreed: boolean;
  readonly steps: readonly PolicyStep[];
};

export const STEP_CHARGES = ["interest", "compensation", "reminder-fee"] as const;
export type StepCharge = (typeof STEP_CHARGES)[number];

const decimal = z.string().regex(/^\d+(\.\d+)?$/, "must be a decimal amount such as 60.00");
const byCurrency = z.record(z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code"), decimal);

const stepSchema = z
  .object({
    id: z.string().min(1),
    offsetDays: z.number().int().min(-60).max(3650),
    channels: z.array(z.enum(CHANNELS)),
    tone: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
    template: z.string().min(1).optional(),
    charges: z.array(z.enum(STEP_CHARGES)).optional(),
    fee: z
      .never({ message: 'replaced by "charges": ["interest", "compensation", "reminder-fee"]' })
      .optional(),
    requiresApproval: z.boolean().default(false),
    minBalance: byCurrency.optional(),
    escalate: z.boolean().default(false),
  })
  .refine((step) => step.channels.length > 0 || step.escalate, {
    message: "a step needs at least one channel, or escalate: true",
    path: ["channels"],
  });

const policySchema = z
  .object({
    name: z.string().min(1),
    minGapDays: z.number().int().min(0).max(365),
    businessDaysOnly: z.boolean().default(false),
    reminderFeeAgreed: z.boolean().default(false),
    segment: z
      .object({
        kind: z.enum(["business", "consumer"]).optional(),
        countries: z.array(z.string().regex(/^[A-Z]{2}$/)).optional(),
        risks: z.array(z.enum(CUSTOMER_RISKS)).min(1).optional(),
      })
      .optional(),
    steps: z.array(stepSchema).min(1),
  })
  .superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.steps.forEach((step, index) => {
      if (seen.has(step.id)) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", index, "id"],
          message: `"${step.id}" is used twice`,
        });
      }
      seen.add(step.id);
      const previous = policy.steps[index - 1];
      if (previous && step.offsetDays < previous.offsetDays) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", index, "offsetDays"],
          message: "steps must be in order of offsetDays",
        });
      }
    });
  });

/** The policies runs choose from: the default, and policies for segments of customers. */
export type PolicySet = { readonly fallback: Policy; readonly segmented: readonly Policy[] };

/**
 * The policy for a customer: the most specific segment that matches (each of kind, country
 * and risk a segment names counts one), else the default. Ties go to the first in the set.
 */
export function policyFor(
  set: PolicySet,
  customer: {
    readonly kind: CustomerKind;
    readonly country: string;
    readonly risk?: CustomerRisk | null;
  },
): Policy {
  let best: Policy | undefined;
  let bestScore = 0;
  for (const policy of set.segmented) {
    const segment = policy.segment;
    if (!segment) continue;
    if (segment.kind !== undefined && segment.kind !== customer.kind) continue;
    if (segment.countries !== undefined && !segment.countries.includes(customer.country)) continue;
    if (segment.risks !== undefined && !(customer.risk && segment.risks.includes(customer.risk)))
      continue;
    const score = (segment.kind ? 1 : 0) + (segment.countries ? 1 : 0) + (segment.risks ? 1 : 0);
    if (score > bestScore) {
      best = policy;
      bestScore = score;
    }
  }
  return best ?? set.fallback;
}

export type PolicyProblem = { readonly path: string; readonly problem: string };

/** Reads a policy from parsed JSON; every problem is reported with its JSON path. */
export function parsePolicy(
  json: unknown,
): { ok: true; policy: Policy } | { ok: false; problems: PolicyProblem[] } {
  const parsed = policySchema.safeParse(json);
  if (parsed.success) return { ok: true, policy: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join(".") || "(policy)",
      problem: issue.message,
    })),
  };
}

/**
 * The playbook (../shared/docs/product.md): a friendly e-mail right after the due date, a
 * second e-mail, a phone call, a firm e-mail with a letter, a final notice by certified
 * letter, then a proposal to the collections lead to escalate.
 */
export const DEFAULT_POLICY: Policy = {
  name: "default",
  minGapDays: 5,
  businessDaysOnly: true,
  reminderFeeAgreed: false,
  steps: [
    {
      id: "friendly",
      offsetDays: 1,
      channels: ["email"],
      tone: 1,
      requiresApproval: false,
      escalate: false,
    },
    {
      id: "second",
      offsetDays: 10,
      channels: ["email"],
      tone: 2,
      requiresApproval: false,
      escalate: false,
    },
    {
      id: "call",
      offsetDays: 20,
      channels: ["call"],
      tone: 2,
      requiresApproval: false,
      escalate: false,
    },
    {
      id: "firm",
      offsetDays: 30,
      channels: ["email", "letter"],
      tone: 3,
      requiresApproval: false,
      escalate: false,
    },
    {
      id: "final",
      offsetDays: 45,
      channels: ["certified_letter"],
      tone: 4,
      requiresApproval: true,
      escalate: false,
    },
    {
      id: "escalate",
      offsetDays: 60,
      channels: [],
      tone: 4,
      requiresApproval: true,
      escalate: true,
    },
  ],
};
