// Monthly bill summaries (FR-34) as the hub's dashboard shows them (FR-35). Amounts are integer cents:
// the ledger works in nano-dollars and rounds once per bill line (docs/sync.md), so lines add up exactly.
import { z } from "zod";
import { accountIdSchema, customerIdSchema, premisesIdSchema, refIdSchema, sessionIdSchema, utcSecondsSchema, utilityIdSchema, whSchema } from "./primitives.ts";
import { parseMessage } from "./version.ts";

export const billLineKindSchema = z.enum([
  "pev-debit", // energy charged under the program at this premises (FR-31)
  "default-rate-debit", // fallback energy at the premises default rate (BR-4)
  "guest-credit", // host premises credited for a guest's charging (FR-33)
  "guest-debit", // this account's PEV charged as a guest elsewhere (FR-33)
  "roaming-debit", // charged out of territory, via the clearinghouse (FR-32)
  "fixed", // fixed charges of the tariff
  "reversal", // a correction: reverses an earlier line
  "adjustment",
]);
export type BillLineKind = z.infer<typeof billLineKindSchema>;

export const billLineSchema = z.object({
  kind: billLineKindSchema,
  description: z.string().max(300),
  postedAt: utcSecondsSchema,
  sessionId: sessionIdSchema.optional(),
  wh: z.number().int(),
  /** Positive = owed by the customer, negative = credit. */
  amountCents: z.number().int(),
  /** The price applied, µ$ per kWh (integer micro-dollars), when the line is energy: the same name as in the ledger (issue 14). */
  priceMicroUsdPerKWh: z.number().int().optional(),
});
export type BillLine = z.infer<typeof billLineSchema>;

export const billSummarySchema = z
  .object({
    billId: refIdSchema,
    utilityId: utilityIdSchema,
    customerId: customerIdSchema,
    accountId: accountIdSchema,
    premisesId: premisesIdSchema,
    /** Billing month, `YYYY-MM`, in the utility's local time zone; periodStart/End are its UTC bounds. */
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "month must be YYYY-MM"),
    periodStart: utcSecondsSchema,
    periodEnd: utcSecondsSchema,
    issuedAt: utcSecondsSchema,
    programId: refIdSchema.nullable(),
    tariffId: refIdSchema.nullable(),
    pevWh: whSchema,
    debitsCents: z.number().int().nonnegative(),
    creditsCents: z.number().int().nonnegative(),
    totalCents: z.number().int(),
    lines: z.array(billLineSchema).max(10_000),
  })
  .superRefine((b, ctx) => {
    const sum = b.lines.reduce((a, l) => a + l.amountCents, 0);
    if (sum !== b.totalCents) ctx.addIssue({ code: "custom", path: ["totalCents"], message: `totalCents ${b.totalCents} is not the sum of the lines (${sum})` });
    if (b.debitsCents - b.creditsCents !== b.totalCents) ctx.addIssue({ code: "custom", path: ["totalCents"], message: "totalCents must equal debitsCents - creditsCents" });
    if (b.periodEnd <= b.periodStart) ctx.addIssue({ code: "custom", path: ["periodEnd"], message: "period must end after it starts" });
  });
export type BillSummary = z.infer<typeof billSummarySchema>;

export const billSummaryListSchema = z.object({
  v: z.literal(1),
  premisesId: premisesIdSchema,
  bills: z.array(billSummarySchema).max(120),
});
export type BillSummaryList = z.infer<typeof billSummaryListSchema>;

export const parseBillSummaryList = (input: unknown): BillSummaryList => parseMessage(billSummaryListSchema, input, "bill summaries");
