import { type AccountReport, oppositeSide, type PositionReport } from "../core/types.ts";
import type { EngineCore, GroupOps } from "./groups/group-ops.ts";
import type { CloseReason, GroupState } from "./groups/group-types.ts";
import { isActive, legNetLots } from "./groups/group-types.ts";
import { accountKey, posKey } from "./orders/order-records.ts";
import { protectionPriceTicks } from "./orders/pricing.ts";
import { checkRestingSingles } from "./orders/resting-check.ts";
import {
  expectedHoldings,
  keyOf,
  QUIET_SWEEP_PASSES,
  signatureOf,
  workingByKey,
} from "./reconcile-expected.ts";
import {
  ADVANCE_CONCURRENCY,
  inLanes,
  readConcurrently,
  type StartOptions,
  throwIfAborted,
} from "./startup.ts";

/**
 * Venue truth against the journal, at start and every reconcile interval:
 * 1. orders nobody is waiting on: unknown outcomes resolved (orderStatus), leftovers canceled;
 * 2. groups nobody holds: an `opening` one (the process died mid-open) gets its verdict, an
 *    `unwinding`/`closing` one another flatten round;
 * 3. positions of every managed account: a venue position no group owns is an orphan (alert,
 *    then a reduce-only flatten after the grace period, retried after a cooldown when it does not
 *    close it and alerted after repeated failures; or alert only), except on a key where an entry
 *    began or a group ended moments ago (orphan-guard.ts); lots our groups hold that
 *    the venue no longer has are written off on the leg (liquidated / closed outside perpbot)
 *    and the rest of the group is closed;
 * 4. the kill switch's equity observation.
 * Outside start, a discrepancy must be seen in two consecutive passes before it is acted on,
 * so an event still on its way is never mistaken for an orphan or a lost position.
 */

export { QUIET_SWEEP_PASSES } from "./reconcile-expected.ts";

export interface OrphanInfo {
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  /** signed lots no group owns */
  readonly lots: number;
  readonly since: number;
  readonly flattening: boolean;
}

export interface ReconcileReport {
  readonly ordersResolved: number;
  readonly groupsAdvanced: number;
  readonly positionsChecked: number;
  readonly orphans: readonly OrphanInfo[];
  readonly lostLots: number;
  /** fills read back from a venue's fill history (their events were lost) */
  readonly fillsBackfilled: number;
  readonly errors: readonly string[];
}

export interface ReconcileHost extends EngineCore {
  readonly ops: GroupOps;
  managedAccounts(): Iterable<readonly [string, string]>;
  withGroup<T>(g: GroupState, fn: () => Promise<T>): Promise<T>;
  closeInBackground(g: GroupState, reason: CloseReason): void;
  observeEquity(equityUsd: number): Promise<void>;
  readonly killSwitchEnabled: boolean;
  /** signed lots the strategies' single orders hold, per posKey: owned, never orphans */
  singleHoldings(): ReadonlyMap<string, number>;
  /** every positions read, for the portfolio */
  onPositionsRead?(venue: string, account: string, reports: readonly PositionReport[]): void;
  /** every account-state read, for the portfolio */
  onAccountRead?(venue: string, account: string, report: AccountReport): void;
}

interface CloseAttempts {
  /** when the last close was sent (or found it could not be) */
  lastAt: number;
  failures: number;
  /** engine.orphan_close_failed was raised for this orphan */
  alerted: boolean;
}

export class Reconciler {
  private readonly host: ReconcileHost;
  private readonly orphanSince = new Map<string, number>();
  private readonly orphanLots = new Map<string, number>();
  /** keys whose orphan-looking position the orphan guard has held off, since when (in a row) */
  private readonly heldSince = new Map<string, number>();
  /** per orphan key, its reduce-only closes that did not close it, until the position is gone */
  private readonly closeAttempts = new Map<string, CloseAttempts>();
  /** discrepancies seen in the previous pass (key → kind), for the two-pass rule */
  private previous = new Map<string, "orphan" | "lost">();
  /** accounts with a discrepancy (or unreadable) in the previous pass: read again next pass */
  private discrepant = new Set<string>();
  /** per account, what the active groups held there when it was last read */
  private expectedThen = new Map<string, string>();
  private pass = 0;

  constructor(host: ReconcileHost) {
    this.host = host;
  }

  orphans(): OrphanInfo[] {
    const out: OrphanInfo[] = [];
    for (const [key, since] of this.orphanSince) {
      const [venue, account, symbol] = key.split("\u0000");
      const flattening = this.host.gateway
        .workingOrders()
        .some((o) => o.purpose === "orphan" && keyOf(o) === key);
      out.push({ venue, account, symbol, lots: this.orphanLots.get(key) ?? 0, since, flattening });
    }
    return out;
  }

  /**
   * One pass. `start` (the engine's start-up only) can stop it between steps and between reads,
   * and hears of its progress; a pass stopped that way throws StartAbortedError.
   */
  async run(atStart: boolean, start: StartOptions = {}): Promise<ReconcileReport> {
    const errors: string[] = [];
    const ordersResolved = (await this.resolveOrders(start)) + (await this.checkResting());
    throwIfAborted(start.signal);
    const fillsBackfilled = await this.host.gateway.backfillFills();
    throwIfAborted(start.signal);
    const groupsAdvanced = await this.advanceGroups(atStart, start);
    throwIfAborted(start.signal);
    const { checked, lostLots } = await this.checkPositions(atStart, errors, start);
    if (this.host.killSwitchEnabled) await this.checkEquity(errors, start);
    return {
      ordersResolved,
      groupsAdvanced,
      positionsChecked: checked,
      orphans: this.orphans(),
      lostLots,
      fillsBackfilled,
      errors,
    };
  }

  /** resting single orders the venue no longer lists (their events were lost): asked, moved on */
  private checkResting(): Promise<number> {
    return checkRestingSingles(this.host.gateway, this.host.venues, this.host.clock);
  }

  /** Working orders nobody waits on (a dead process's), asked and moved on, several at once. */
  private async resolveOrders(start: StartOptions): Promise<number> {
    const { gateway, clock, groups } = this.host;
    let n = 0;
    const idle = gateway
      .workingOrders()
      .filter((o) => o.watchers === 0 && !(o.groupId !== null && groups.get(o.groupId)?.busy));
    let seen = 0;
    await inLanes(
      idle,
      ADVANCE_CONCURRENCY,
      async (o) => {
        start.progress?.({ stage: "orders", done: seen++, total: idle.length });
        o.watchers++;
        try {
          if (gateway.needsAnswer(o)) await gateway.resolve(o, clock.now());
          // a resting order nobody is waiting on is a leftover of a dead process: cancel it; a
          // strategy's single order rests on purpose and is left alone
          if (!o.tracked.terminal && !gateway.needsAnswer(o) && o.purpose !== "single") {
            await gateway.cancel(o);
            if (gateway.needsAnswer(o)) await gateway.resolve(o, clock.now());
          }
        } finally {
          o.watchers--;
        }
        if (o.tracked.terminal) n++;
      },
      () => start.signal?.aborted === true,
    );
    throwIfAborted(start.signal);
    return n;
  }

  /** Groups left opening, unwinding or closing (a dead process's), moved on, several at once. */
  private async advanceGroups(atStart: boolean, start: StartOptions): Promise<number> {
    const { groups, ops } = this.host;
    let n = 0;
    // (asked again as each one's turn comes: a strategy may have taken it up meanwhile)
    const pending = (g: GroupState) => !g.busy && isActive(g.status) && g.status !== "open";
    const due = [...groups.values()].filter(pending);
    let done = 0;
    if (due.length > 0) start.progress?.({ stage: "groups", done, total: due.length });
    await inLanes(
      due,
      ADVANCE_CONCURRENCY,
      async (g) => {
        try {
          if (!pending(g)) return;
          n++;
          await this.host.withGroup(g, async () => {
            if (g.status === "opening") await ops.finishOpen(g, 1);
            else if (g.status === "unwinding") {
              if (await ops.flatten(g, "unwind", 1)) ops.setStatus(g, "flat");
            } else if (g.status === "closing") {
              if (await ops.flatten(g, "close", 1)) ops.setStatus(g, "flat");
            }
            await this.host.journal.sync();
          });
        } finally {
          start.progress?.({ stage: "groups", done: ++done, total: due.length });
        }
      },
      () => !atStart && this.host.halting(),
    );
    return n;
  }

  private async checkPositions(
    atStart: boolean,
    errors: string[],
    start: StartOptions,
  ): Promise<{ checked: number; lostLots: number }> {
    const { venues, gateway, groups, clock, settings, orphanGuard } = this.host;
    orphanGuard.prune(clock.now());
    const seen = new Map<string, "orphan" | "lost">();
    let checked = 0;
    let lostLots = 0;
    // what our active groups and single orders hold, by account then symbol
    const { expected, busyKeys } = expectedHoldings(groups.values(), this.host.singleHoldings());
    const working = workingByKey(gateway.workingOrders());
    // accounts that must be read this pass (see QUIET_SWEEP_PASSES); the rest are quiet
    const touched = gateway.takeTouched();
    for (const key of working.keys()) touched.add(key.slice(0, key.lastIndexOf("\u0000")));
    for (const key of busyKeys) touched.add(key.slice(0, key.lastIndexOf("\u0000")));
    const pass = this.pass++;
    const expectedNow = new Map<string, string>();
    const discrepant = new Set<string>();
    // which accounts are due, then their positions read concurrently (within each venue's rate
    // limit: a thousand wallets one at a time took minutes), then compared one by one in order
    const dueAccounts: { venueId: string; account: string; acct: string; signature: string }[] = [];
    let index = 0;
    for (const [venueId, account] of this.host.managedAccounts()) {
      const acct = accountKey(venueId, account);
      const mine = expected.get(acct);
      const signature = mine === undefined ? "" : signatureOf(mine);
      const slot = index++;
      const due =
        atStart ||
        touched.has(acct) ||
        this.discrepant.has(acct) ||
        this.expectedThen.get(acct) !== signature ||
        (slot + pass) % QUIET_SWEEP_PASSES === 0;
      if (!due || !venues.has(venueId)) {
        if (this.expectedThen.has(acct)) expectedNow.set(acct, this.expectedThen.get(acct)!);
        continue;
      }
      dueAccounts.push({ venueId, account, acct, signature });
    }
    const read = new Map<string, readonly PositionReport[] | Error>();
    start.progress?.({ stage: "reconcile", done: 0, total: dueAccounts.length });
    await readConcurrently(
      dueAccounts,
      {
        limits: gateway.limits,
        kind: "positions",
        target: (a) => [a.venueId, a.account],
        signal: start.signal,
        onDone: (done) => start.progress?.({ stage: "reconcile", done, total: dueAccounts.length }),
      },
      async (a) => {
        try {
          read.set(a.acct, await venues.get(a.venueId)!.positions(a.account));
        } catch (err) {
          read.set(a.acct, err as Error);
        }
      },
    );
    for (const { venueId, account, acct, signature } of dueAccounts) {
      const mine = expected.get(acct);
      const positions = read.get(acct)!;
      if (positions instanceof Error) {
        errors.push(`${venueId} ${account}: positions unavailable (${positions.message})`);
        // not read: it stays due (the signature it was last compared against is kept)
        discrepant.add(acct);
        continue;
      }
      this.host.onPositionsRead?.(venueId, account, positions);
      expectedNow.set(acct, signature);
      const actual = new Map<string, number>();
      for (const p of positions) actual.set(p.symbol, p.sizeLots);
      const symbols = mine === undefined ? actual.keys() : new Set([...actual.keys(), ...mine.keys()]);
      for (const symbol of symbols) {
        checked++;
        const key = posKey(venueId, account, symbol);
        const venueLots = actual.get(symbol) ?? 0;
        gateway.positions.set(key, venueLots);
        if (busyKeys.has(key)) continue;
        const diff = venueLots - (mine?.get(symbol) ?? 0);
        const w = working.get(key);
        const orphanWorking = w?.orphanWorking ?? false;
        if (diff === 0 || Math.abs(diff) <= (w?.lots ?? 0)) {
          if (diff === 0 || !orphanWorking) {
            this.orphanSince.delete(key);
            this.orphanLots.delete(key);
          }
          this.heldSince.delete(key);
          if (diff === 0) this.closeAttempts.delete(key);
          continue;
        }
        const isOrphan = venueLots !== 0 && Math.sign(diff) === Math.sign(venueLots);
        // an entry on the key began, or a group on it ended, moments ago: what the venue shows
        // may be that operation's, not an orphan. Held off (read again next pass), not tracked;
        // the start pass accounts for every position, so it is not held there
        if (isOrphan && !atStart && orphanGuard.hold(key, clock.now()) !== undefined) {
          // held for longer than one entry and one close can explain (counted from the first
          // hold, until the discrepancy is gone): holds that keep renewing, a key traded again
          // and again, do not put a real orphan off for ever
          const heldSince = this.heldSince.get(key) ?? clock.now();
          this.heldSince.set(key, heldSince);
          if (clock.now() - heldSince < orphanGuard.maxHoldMs) {
            discrepant.add(acct);
            continue;
          }
        }
        const kind = isOrphan ? "orphan" : "lost";
        seen.set(key, kind);
        discrepant.add(acct);
        const confirmed = atStart || this.previous.get(key) === kind;
        if (isOrphan) {
          const lots = Math.sign(diff) * Math.min(Math.abs(diff), Math.abs(venueLots));
          const since = this.orphanSince.get(key) ?? clock.now();
          this.orphanSince.set(key, since);
          this.orphanLots.set(key, lots);
          this.alert(
            "warning",
            `engine.orphan:${key}`,
            "orphan position",
            `${venueId} ${account} ${symbol}: ${lots} lots no group owns`,
            { venue: venueId, wallet: account, symbol },
          );
          const due = clock.now() - since >= settings.orphanGraceMs && this.retryDue(key);
          if (confirmed && due && settings.orphanFlatten && !orphanWorking)
            await this.closeOrphan(key, venueId, account, symbol, lots, since);
        } else if (confirmed) {
          lostLots += Math.abs(diff);
          this.writeOff(key, -diff);
        }
      }
    }
    // a skipped account had no discrepancy in the previous pass (it would have been read)
    this.previous = seen;
    this.discrepant = discrepant;
    this.expectedThen = expectedNow;
    return { checked, lostLots };
  }

  /** Lots our groups hold that the venue does not: written off leg by leg, then the groups close. */
  private writeOff(key: string, missing: number): void {
    const { groups, gateway, ops, journal } = this.host;
    const reason = gateway.liquidations.has(key) ? "liquidated" : "closed_externally";
    let left = missing;
    for (const g of groups.values()) {
      if (!isActive(g.status) || left === 0) continue;
      for (const l of g.legs) {
        if (left === 0 || posKey(l.spec.venue, l.spec.account, l.spec.symbol) !== key) continue;
        const net = legNetLots(l);
        if (net === 0 || Math.sign(net) !== Math.sign(left)) continue;
        const take = Math.sign(net) * Math.min(Math.abs(net), Math.abs(left));
        l.externalLots -= take;
        l.externalReason = reason;
        left -= take;
        journal.legExternal(g.id, l.index, l.externalLots, reason);
        ops.alert(
          "critical",
          `engine.leg_gone:${g.id}:${l.index}`,
          "leg closed outside perpbot",
          `${g.id} leg ${l.index} ${l.inst.key} ${l.spec.account}: ${Math.abs(take)} lots ${reason}`,
          g,
        );
        if (g.status === "open") {
          g.closeReason = reason;
          this.host.closeInBackground(g, reason);
        }
      }
    }
  }

  /** No close of the orphan on `key` yet, or the last one failed at least the retry cooldown ago. */
  private retryDue(key: string): boolean {
    const a = this.closeAttempts.get(key);
    return a === undefined || this.host.clock.now() - a.lastAt >= this.host.settings.orphanRetryCooldownMs;
  }

  /**
   * One reduce-only close of an orphan; one that does not close it all counts as a failure: the
   * next waits `orphan_retry_cooldown_seconds`, and the `orphan_alert_after_failures`th raises a
   * critical alert, once for the orphan.
   */
  private async closeOrphan(
    key: string,
    venueId: string,
    account: string,
    symbol: string,
    lots: number,
    since: number,
  ): Promise<void> {
    const { clock, settings } = this.host;
    const attempts = this.closeAttempts.get(key) ?? { lastAt: 0, failures: 0, alerted: false };
    attempts.lastAt = clock.now();
    this.closeAttempts.set(key, attempts);
    const failure = await this.flattenOrphan(venueId, account, symbol, lots, since);
    if (failure === undefined) return;
    attempts.failures++;
    if (attempts.failures < settings.orphanAlertAfterFailures || attempts.alerted) return;
    attempts.alerted = true;
    this.alert(
      "critical",
      `engine.orphan_close_failed:${venueId}:${account}:${symbol}`,
      "orphan close keeps failing",
      `${venueId} ${account} ${symbol}: ${attempts.failures} reduce-only closes of ${Math.abs(lots)} lots no group owns did not close it (last: ${failure}); retried every ${Math.round(settings.orphanRetryCooldownMs / 1000)} s`,
      { venue: venueId, wallet: account, symbol },
    );
  }

  /** The reduce-only IOC against an orphan: undefined once it closed all of it, else why not. */
  private async flattenOrphan(
    venueId: string,
    account: string,
    symbol: string,
    lots: number,
    since: number,
  ): Promise<string | undefined> {
    const { venues, gateway, settings } = this.host;
    const venue = venues.get(venueId)!;
    const inst = venue.instrument(symbol);
    const side = oppositeSide(lots > 0 ? "buy" : "sell");
    const price = protectionPriceTicks(inst, venue.book(symbol), side, settings.closeSlippageBps);
    if (price === undefined) return `no ${side === "buy" ? "ask" : "bid"} in the book to price it`;
    const r = await gateway.place({
      venue: venueId,
      account,
      symbol,
      side,
      sizeLots: Math.abs(lots),
      priceTicks: price,
      tif: "ioc",
      reduceOnly: true,
      purpose: "orphan",
      groupId: null,
      legIndex: 0,
      intentId: `orphan:${venueId}:${account}:${symbol}:${since}`,
      strategy: "engine",
    });
    if (!r.sent) {
      this.alert(
        "critical",
        `engine.orphan_flatten_refused:${venueId}:${account}:${symbol}`,
        "orphan flatten refused",
        `${r.reason}: ${r.detail}`,
        { venue: venueId, wallet: account, symbol },
      );
      return `refused (${r.reason}: ${r.detail})`;
    }
    await gateway.settleIoc(r.order);
    // a flattened orphan leaves a record of what was closed and why (its fills carry purpose
    // "orphan" into the trade log too)
    const filled = r.order.tracked.filledLots;
    if (filled > 0)
      this.alert(
        "warning",
        `engine.orphan_flattened:${venueId}:${account}:${symbol}`,
        "orphan position flattened",
        `${venueId} ${account} ${symbol}: ${filled} of ${Math.abs(lots)} lots no group owned closed reduce-only (orphan since ${new Date(since).toISOString()}, grace ${Math.round(settings.orphanGraceMs / 1000)} s)`,
        { venue: venueId, wallet: account, symbol },
      );
    if (filled >= Math.abs(lots)) return undefined;
    const t = r.order.tracked;
    if (!t.terminal) return `outcome unknown after ${filled} lots`;
    return `${t.status} after ${filled} of ${Math.abs(lots)} lots${r.order.lastReason ? ` (${r.order.lastReason})` : ""}`;
  }

  private async checkEquity(errors: string[], start: StartOptions): Promise<void> {
    const accounts = [...this.host.managedAccounts()];
    let equity = 0;
    let failed: string | undefined;
    await readConcurrently(
      accounts,
      {
        limits: this.host.gateway.limits,
        kind: "account_state",
        target: (a) => a,
        signal: start.signal,
        onDone: (done) => start.progress?.({ stage: "equity", done, total: accounts.length }),
      },
      async ([venueId, account]) => {
        if (failed !== undefined) return;
        try {
          const report = await this.host.venues.get(venueId)!.accountState(account);
          this.host.onAccountRead?.(venueId, account, report);
          equity += report.equityUsd;
        } catch (err) {
          failed ??= `${venueId} ${account}: account state unavailable (${(err as Error).message})`;
        }
      },
    );
    // an incomplete sum is no equity figure: skip this observation rather than trip on it
    if (failed !== undefined) errors.push(failed);
    else if (equity > 0) await this.host.observeEquity(equity);
  }

  private alert(
    severity: "info" | "warning" | "critical",
    key: string,
    title: string,
    message: string,
    context: Record<string, string>,
  ): void {
    this.host.alerts.raise({ severity, key, title, message, context, ts: this.host.clock.now() });
  }
}
