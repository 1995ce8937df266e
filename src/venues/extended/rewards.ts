/**
 * A wallet's Extended points: `GET /api/v1/user/rewards/earned` (private, X-Api-Key). Extended's
 * API docs list it under "Rewards" (api.docs.extended.exchange) without an answer sample; the
 * shape here is what public GitHub clients of that path read (found by searching public code for
 * `/user/rewards/earned`: a JavaScript client's `vmGetEarnedPoints`, which sums `pointsReward`
 * over every season's `epochRewards` and takes the highest `epochId` of the highest `seasonId` as
 * the latest epoch, and a Python dashboard's `fetch_account_points`, which reads the same fields):
 *
 *   {"status":"OK","data":[{"seasonId":1,"epochRewards":[{"epochId":3,"pointsReward":"123.45",
 *     "startDate":"2025-01-06","endDate":"2025-01-12"}, …]}, …]}
 *
 * An epoch is a week (Monday to Sunday in those samples). Extra fields are let through; a missing
 * or malformed seasonId, epochId or pointsReward is an error naming venue, wallet and field.
 */
import { z } from "zod";
import type { PointsRead } from "../kit/points-keeper.ts";
import type { ExtendedHttp } from "./http.ts";
import { ExtendedPayloadError } from "./parse.ts";

const points = z.union([
  z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, "a decimal string"),
  z.number().finite(),
]);

const EpochSchema = z
  .object({
    epochId: z.number().int(),
    pointsReward: points.transform(Number),
    startDate: z.string().optional(),
    endDate: z.string().optional(),
  })
  .loose();

export const RewardsEarnedSchema = z
  .object({
    status: z.literal("OK"),
    data: z.array(z.object({ seasonId: z.number().int(), epochRewards: z.array(EpochSchema) }).loose()),
  })
  .loose();

export type RewardsEarned = z.output<typeof RewardsEarnedSchema>;

export interface LatestEpoch {
  readonly seasonId: number;
  readonly epochId: number;
  readonly points: number;
  readonly startDate?: string;
  readonly endDate?: string;
}

export interface RewardsSummary {
  /** every season's every epoch */
  readonly total: number;
  /** the highest epochId of the highest seasonId (undefined: nothing earned yet) */
  readonly latest: LatestEpoch | undefined;
}

/** Parse an answer of `/user/rewards/earned`; the error names venue, wallet and field. */
export function parseRewards(raw: unknown, venueId: string, account: string): RewardsEarned {
  const r = RewardsEarnedSchema.safeParse(raw);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new ExtendedPayloadError(
    `venue ${venueId}: wallet ${account}: /user/rewards/earned: field ${i?.path.join(".") || "(root)"}: ${i?.message}`,
  );
}

export function summarize(r: RewardsEarned): RewardsSummary {
  let total = 0;
  let latest: LatestEpoch | undefined;
  for (const s of r.data)
    for (const e of s.epochRewards) {
      total += e.pointsReward;
      if (
        latest === undefined ||
        s.seasonId > latest.seasonId ||
        (s.seasonId === latest.seasonId && e.epochId > latest.epochId)
      )
        latest = {
          seasonId: s.seasonId,
          epochId: e.epochId,
          points: e.pointsReward,
          ...(e.startDate === undefined ? {} : { startDate: e.startDate }),
          ...(e.endDate === undefined ? {} : { endDate: e.endDate }),
        };
    }
  return { total: Number(total.toFixed(9)), latest };
}

/** One read: the total, and the latest (weekly) epoch's points as `lastWeek`. */
export async function readRewards(
  http: ExtendedHttp,
  venueId: string,
  account: string,
  apiKey: string,
): Promise<PointsRead> {
  const raw = await http.request({ method: "GET", path: "/user/rewards/earned", apiKey });
  const s = summarize(parseRewards(raw, venueId, account));
  return { total: s.total, lastWeek: s.latest?.points ?? 0 };
}
