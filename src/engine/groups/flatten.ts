import { oppositeSide } from "../../core/types.ts";
import { posKey } from "../orders/order-gateway.ts";
import { protectionPriceTicks } from "../orders/pricing.ts";
import type { EngineCore } from "./group-ops.ts";
import { type CloseOutcome, type FlattenResult, isActive, legNetLots } from "./group-types.ts";

/**
 * The last step of flatten() and of the kill switch: after the groups were closed, every
 * position left on a matching managed account that no active group holds gets reduce-only IOCs,
 * with backoff, until it is flat or the attempts run out.
 */
export class FlattenSweep {
  private readonly core: EngineCore & { managedAccounts(): Iterable<readonly [string, string]> };

  constructor(core: EngineCore & { managedAccounts(): Iterable<readonly [string, string]> }) {
    this.core = core;
  }

  /**
   * flatten(): close every active group with a leg on a matching account (`closeGroup`), then
   * sweep what is left on those accounts.
   */
  async flatten(
    filter: { venue?: string; account?: string },
    closeGroup: (groupId: string) => Promise<CloseOutcome>,
  ): Promise<FlattenResult> {
    const match = (venue: string, account: string) =>
      (filter.venue === undefined || filter.venue === venue) &&
      (filter.account === undefined || filter.account === account);
    const targets = [...this.core.groups.values()].filter(
      (g) => isActive(g.status) && g.legs.some((l) => match(l.spec.venue, l.spec.account)),
    );
    const outcomes = await Promise.all(targets.map((g) => closeGroup(g.id)));
    const swept = await this.run(match);
    return {
      groupsClosed: outcomes.filter((o) => o.ok).map((o) => o.groupId),
      groupsNotFlat: outcomes.filter((o) => !o.ok).map((o) => o.groupId),
      positionsFlattened: swept.flattened,
      positionsNotFlat: swept.notFlat,
    };
  }

  async run(
    match: (venue: string, account: string) => boolean,
  ): Promise<{ flattened: number; notFlat: number }> {
    const { clock, settings } = this.core;
    const targets = [...this.core.managedAccounts()].filter(([v, a]) => match(v, a));
    const touched = new Set<string>();
    let delay = settings.closeRetryInitialMs;
    for (let attempt = 1; ; attempt++) {
      const left = await this.round(targets, touched, attempt);
      if (left === 0) return { flattened: touched.size, notFlat: 0 };
      if (attempt >= settings.closeMaxAttempts || this.core.halting()) {
        this.core.alerts.raise({
          severity: "critical",
          key: "engine.flatten_incomplete",
          title: "flatten incomplete",
          message: `${left} position(s) still open after ${attempt} round(s)`,
          context: {},
          ts: clock.now(),
        });
        return { flattened: touched.size, notFlat: left };
      }
      await clock.sleep(delay);
      delay = Math.min(delay * 2, settings.closeRetryMaxMs);
    }
  }

  /** One round over the accounts; the number of positions still not flat (or not checkable). */
  private async round(
    targets: (readonly [string, string])[],
    touched: Set<string>,
    attempt: number,
  ): Promise<number> {
    const { venues, gateway, groups, clock, settings } = this.core;
    const owned = new Map<string, number>();
    for (const g of groups.values()) {
      if (!isActive(g.status)) continue;
      for (const l of g.legs) {
        const key = posKey(l.spec.venue, l.spec.account, l.spec.symbol);
        owned.set(key, (owned.get(key) ?? 0) + legNetLots(l));
      }
    }
    let left = 0;
    await Promise.all(
      targets.map(async ([venueId, account]) => {
        const venue = venues.get(venueId);
        if (venue === undefined) return;
        let positions: readonly { symbol: string; sizeLots: number }[];
        try {
          const wait = gateway.limits.acquire(venueId, account, "positions");
          if (wait !== undefined) await wait;
          positions = await venue.positions(account);
        } catch {
          left++;
          return;
        }
        for (const p of positions) {
          const key = posKey(venueId, account, p.symbol);
          const free = p.sizeLots - (owned.get(key) ?? 0);
          // only what lies in the position's own direction can be reduced by a reduce-only order
          if (free === 0 || Math.sign(free) !== Math.sign(p.sizeLots)) continue;
          const lots = Math.min(Math.abs(free), Math.abs(p.sizeLots));
          const inst = venue.instrument(p.symbol);
          const side = oppositeSide(p.sizeLots > 0 ? "buy" : "sell");
          const price = protectionPriceTicks(inst, venue.book(p.symbol), side, settings.closeSlippageBps);
          if (price === undefined) {
            left++;
            continue;
          }
          const r = await gateway.place({
            venue: venueId,
            account,
            symbol: p.symbol,
            side,
            sizeLots: lots,
            priceTicks: price,
            tif: "ioc",
            reduceOnly: true,
            purpose: "flatten",
            groupId: null,
            legIndex: attempt,
            intentId: `flatten:${venueId}:${account}:${p.symbol}:${clock.now()}`,
            strategy: "engine",
          });
          touched.add(key);
          if (!r.sent) {
            left++;
            continue;
          }
          await gateway.settleIoc(r.order);
          if (r.order.tracked.filledLots + r.order.tracked.missingFillLots < lots) left++;
        }
      }),
    );
    return left;
  }
}
