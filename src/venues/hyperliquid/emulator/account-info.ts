/**
 * The account info types a set-up check reads (what `perpbot doctor` asks), in the venue's
 * shapes (nktkas/hyperliquid `.d.ts` of ExtraAgents, UserRole and ActiveAssetData; HLd "Info
 * endpoint"):
 *
 * - `extraAgents {user}`: `[{address, name, validUntil}]`, the agents the master approved;
 * - `userRole {user}`: `{role: "missing"|"user"|"vault"}`, `{role: "agent", data: {user}}` (the
 *   agent's master), or `{role: "subAccount", data: {master}}`;
 * - `activeAssetData {user, coin}`: `{user, coin, leverage: {type, value[, rawUsd]},
 *   maxTradeSzs, availableToTrade, markPx}`.
 *
 * Undefined for any other type (the caller answers the venue's 422 then).
 */
import type { Auth } from "./auth.ts";
import type { HlEngine } from "./engine.ts";
import { DESERIALIZE, InfoError } from "./info.ts";
import { num } from "./universe.ts";

type Json = Record<string, unknown>;

const address = (v: unknown): string => {
  if (typeof v !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(v)) throw new InfoError(DESERIALIZE);
  return v.toLowerCase();
};

export function accountInfo(engine: HlEngine, auth: Auth, body: Json): unknown {
  switch (body.type) {
    case "extraAgents": {
      const user = address(body.user);
      return [...auth.agents]
        .filter(([, a]) => a.master === user)
        .map(([agent, a]) => ({
          address: agent,
          name: a.name,
          // the emulator keeps no expiry for an agent approved without one: 0 says "none"
          validUntil: a.validUntil ?? 0,
        }));
    }
    case "userRole": {
      return auth.role(address(body.user), engine.clock.now());
    }
    case "activeAssetData": {
      const user = address(body.user);
      if (typeof body.coin !== "string" || !engine.instruments.has(body.coin))
        throw new InfoError(DESERIALIZE);
      const coin = body.coin;
      const setting = engine.exchange.settingOf(user, coin);
      const mark = engine.mark(coin);
      return {
        user,
        coin,
        leverage:
          setting.mode === "cross"
            ? { type: "cross", value: setting.leverage }
            : { type: "isolated", value: setting.leverage, rawUsd: "0.0" },
        // the emulator does not size the next order: it reports no limit of its own
        maxTradeSzs: ["0.0", "0.0"],
        availableToTrade: ["0.0", "0.0"],
        markPx: num(mark, 6),
      };
    }
    default:
      return undefined;
  }
}
