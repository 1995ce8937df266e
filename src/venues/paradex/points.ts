/**
 * Each bound wallet's XP (`GET /xp/account-balance`, ccxt@4.5.84 paradex.js private GET list):
 * read at bind and every `pollMs` after by the kit's PointsKeeper, kept as the wallet's points for
 * `perpbot status` (core/venue-points.ts). The venue gives a balance only, so `lastWeek` is 0.
 */
import type { Clock } from "../../core/clock.ts";
import { PointsKeeper } from "../kit/points-keeper.ts";
import type { JwtSession } from "./auth.ts";
import type { ParadexHttp } from "./http.ts";
import { readXp } from "./orders.ts";

export function xpKeeper(
  venueId: string,
  deps: { http: ParadexHttp; clock: Clock; pollMs: number; problem: (account: string, e: Error) => void },
): PointsKeeper<JwtSession> {
  return new PointsKeeper<JwtSession>(venueId, {
    clock: deps.clock,
    pollMs: deps.pollMs,
    problem: deps.problem,
    read: async (_account, session) => ({
      total: Number(await readXp({ http: deps.http, session })),
      lastWeek: 0,
    }),
  });
}
