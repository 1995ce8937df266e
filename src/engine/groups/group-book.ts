import type { Money } from "../../core/money.ts";
import type { Venue } from "../../core/venue.ts";
import type { OrderGateway } from "../orders/order-gateway.ts";
import type { GroupState } from "./group-types.ts";
import { isActive, legHeldLots } from "./group-types.ts";

/**
 * The engine's in-memory bookkeeping of groups and accounts: the active groups (finished ones
 * leave memory as soon as they end; the store keeps them), the one-at-a-time hold on a group,
 * every managed (venue, account) in the order it became managed, and each strategy's exposure
 * for the risk gate's allocation rule.
 */
export class GroupBook {
  readonly groups = new Map<string, GroupState>();
  private readonly accounts = new Map<string, readonly [string, string]>();
  private readonly venues: ReadonlyMap<string, Venue>;
  private gateway: OrderGateway | undefined;

  constructor(venues: ReadonlyMap<string, Venue>) {
    this.venues = venues;
  }

  /** The gateway whose orders are forgotten with their groups (built after the book). */
  useGateway(gateway: OrderGateway): void {
    this.gateway = gateway;
  }

  /** A group becomes known (opened or recovered); its legs' accounts become managed. */
  add(g: GroupState): void {
    this.groups.set(g.id, g);
    for (const l of g.legs) this.addAccount(l.spec.venue, l.spec.account);
  }

  addAccount(venue: string, account: string): void {
    const key = `${venue}\u0000${account}`;
    if (!this.accounts.has(key)) this.accounts.set(key, [venue, account]);
  }

  /** (venue, account) of every managed account, in the order they became managed */
  managedAccounts(): Iterable<readonly [string, string]> {
    return this.accounts.values();
  }

  /** Run `fn` holding the group: operations on one group never interleave. */
  withGroup<T>(g: GroupState, fn: () => Promise<T>): Promise<T> {
    const run = g.chain.then(async () => {
      g.busy = true;
      try {
        return await fn();
      } finally {
        g.busy = false;
        // a group that ended (its status synced by the operation) leaves memory now rather than at
        // the next reconcile pass: a busy engine would otherwise carry every finished order
        if (!isActive(g.status)) this.forget(g);
      }
    });
    g.chain = run.catch(() => {});
    return run;
  }

  /** Gross notional of a strategy's active groups, at marks (the larger of held and target). */
  strategyExposure(strategy: string): Money {
    let total = 0n;
    for (const g of this.groups.values()) {
      if (g.strategy !== strategy || !isActive(g.status)) continue;
      for (const l of g.legs) {
        const mark = this.venues.get(l.spec.venue)!.markPrice(l.spec.symbol);
        if (!(mark > 0)) continue;
        total += l.inst.notional(
          Math.max(legHeldLots(l), l.spec.sizeLots),
          l.inst.roundPrice(mark, "buy", "nearest"),
        );
      }
    }
    return total;
  }

  private forget(g: GroupState): void {
    if (this.groups.get(g.id) === g) this.groups.delete(g.id);
    for (const l of g.legs) this.gateway?.forgetOrders(l.orders);
  }

  /** Drop finished groups and their orders from memory; the store keeps them. */
  forgetFinished(): void {
    for (const [id, g] of this.groups) if (!isActive(g.status) && !g.busy) this.groups.delete(id);
    this.gateway?.forget((o) => o.groupId === null || !this.groups.has(o.groupId));
  }
}
