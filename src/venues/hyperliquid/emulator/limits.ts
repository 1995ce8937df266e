/**
 * The venue's request budgets (HLd "Rate limits and user limits"; VENUES.md §1.7):
 * - per IP: 1200 weight a minute (refilled continuously here); `/exchange` weighs
 *   1 + floor(batch / 40), info requests 2 or 20 (+1 per 20 items for the history requests);
 *   beyond it HTTP 429;
 * - per address: 10 000 actions + 1 per USDC traded; beyond it one action per 10 s, else the
 *   venue's "Too many cumulative requests" error (text: ccxt's exception map comment); a cancel
 *   may go up to min(cap + 100 000, 2 × cap).
 */

const LIGHT_INFO = new Set([
  "l2Book",
  "allMids",
  "clearinghouseState",
  "orderStatus",
  "spotClearinghouseState",
  "exchangeStatus",
]);
const PER_ITEM_INFO = new Set(["userFills", "userFillsByTime", "userFunding", "fundingHistory"]);

export function infoWeight(type: string, items = 0): number {
  if (LIGHT_INFO.has(type)) return 2;
  if (type === "userRole") return 60;
  return 20 + (PER_ITEM_INFO.has(type) ? Math.floor(items / 20) : 0);
}

export function exchangeWeight(action: Record<string, unknown>): number {
  const batch = [action.orders, action.cancels, action.modifies].find(Array.isArray) as unknown[] | undefined;
  return 1 + Math.floor((batch?.length ?? 0) / 40);
}

export class IpBudget {
  readonly perMinute: number;
  readonly #now: () => number;
  readonly #ips = new Map<string, { tokens: number; at: number }>();
  /** what was charged, what was refused with a 429, and the lowest level the budget reached */
  readonly stats = { weight: 0, refused: 0, lowest: Number.POSITIVE_INFINITY };

  constructor(perMinute: number, now: () => number) {
    this.perMinute = perMinute;
    this.#now = now;
  }

  /** Take `weight` from the IP's budget; false (and nothing taken) when it is not there. */
  take(ip: string, weight: number): boolean {
    const now = this.#now();
    const b = this.#ips.get(ip) ?? { tokens: this.perMinute, at: now };
    b.tokens = Math.min(this.perMinute, b.tokens + ((now - b.at) * this.perMinute) / 60_000);
    b.at = now;
    this.#ips.set(ip, b);
    if (b.tokens < weight) {
      this.stats.refused++;
      return false;
    }
    this.#spend(b, weight);
    return true;
  }

  /** Charge weight after the fact (the per-item part of history requests); may go negative. */
  charge(ip: string, weight: number): void {
    const b = this.#ips.get(ip);
    if (b) this.#spend(b, weight);
  }

  #spend(b: { tokens: number }, weight: number): void {
    b.tokens -= weight;
    this.stats.weight += weight;
    this.stats.lowest = Math.min(this.stats.lowest, b.tokens);
  }
}

export class AddressBudget {
  readonly base: number;
  readonly #now: () => number;
  readonly #used = new Map<string, number>();
  readonly #lastThrottled = new Map<string, number>();

  constructor(base: number, now: () => number) {
    this.base = base;
    this.#now = now;
  }

  used(user: string): number {
    return this.#used.get(user) ?? 0;
  }

  cap(cumVlm: number): number {
    return this.base + Math.floor(cumVlm);
  }

  /** Count `n` requests of `user`; the venue's error text when over budget (nothing counted). */
  take(user: string, n: number, cumVlm: number, isCancel: boolean): string | undefined {
    const used = this.used(user);
    const cap = this.cap(cumVlm);
    const limit = isCancel ? Math.min(cap + 100_000, 2 * cap) : cap;
    if (used + n > limit) {
      const now = this.#now();
      const last = this.#lastThrottled.get(user);
      if (last !== undefined && now - last < 10_000) {
        return `Too many cumulative requests sent (${used + n} > ${cap}) for cumulative volume traded $${cumVlm.toFixed(2)}. Place taker orders to free up 1 request per USDC traded.`;
      }
      this.#lastThrottled.set(user, now);
    }
    this.#used.set(user, used + n);
    return undefined;
  }
}
