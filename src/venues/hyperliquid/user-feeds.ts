/**
 * Where each bound account's events come from: its own socket with the three user streams
 * (orderUpdates, userFills, userFundings) while fewer than `limit` distinct users hold them
 * (10 per IP on Hyperliquid, RATE_LIMITS.ws.uniqueUsersInUserStreams), else the info API through
 * the poller (user-poller.ts). An account whose subscription the venue refuses for that limit
 * (another process on the same IP may hold slots) moves to polling at once, from its binding
 * time, so nothing it missed on the refused stream is lost; the shared AccountEvents dedupes.
 */
import type { VenueNotice } from "../../core/venue-notices.ts";
import type { AccountEvents } from "./account-events.ts";
import type { Bound } from "./accounts.ts";
import type { DeadManState } from "./dead-man.ts";
import type { HlAccount } from "./exchange.ts";
import type { PolledAccount, UserPoller } from "./user-poller.ts";
import type { HlWs } from "./ws.ts";

/** the venue's refusal of one more user in user streams (nktkas/hyperliquid#78) */
export const TOO_MANY_USERS = /Cannot track more than \d+ total users/;

export class UserFeeds {
  readonly #accounts: Map<string, Bound>;
  readonly #poller: UserPoller;
  readonly #limit: number;
  readonly #newWs: (problem: (m: string) => void) => HlWs;
  readonly #problem: (m: string) => void;

  constructor(opts: {
    accounts: Map<string, Bound>;
    poller: UserPoller;
    limit: number;
    newWs: (problem: (m: string) => void) => HlWs;
    problem: (m: string) => void;
  }) {
    this.#accounts = opts.accounts;
    this.#poller = opts.poller;
    this.#limit = opts.limit;
    this.#newWs = opts.newWs;
    this.#problem = opts.problem;
  }

  /** The account's socket with its user streams, or undefined when it is polled instead. */
  open(a: HlAccount, events: AccountEvents, since: number): HlWs | undefined {
    this.#poller.remove(a.account);
    const streamed = new Set<string>();
    for (const b of this.#accounts.values()) if (b.ws && b.a.account !== a.account) streamed.add(b.a.user);
    if (!streamed.has(a.user) && streamed.size >= this.#limit) {
      this.#poller.add(a, events, `more than ${this.#limit} users in user streams on this IP`, since);
      return undefined;
    }
    const ws = this.#newWs((m) => {
      if (TOO_MANY_USERS.test(m)) this.#refused(a.account, m);
      else this.#problem(m);
    });
    ws.subscribe({ type: "orderUpdates", user: a.user }, (d) => events.onOrderUpdates(d));
    ws.subscribe({ type: "userFills", user: a.user }, (d) => events.onUserFills(d));
    ws.subscribe({ type: "userFundings", user: a.user }, (d) => events.onUserFundings(d));
    return ws;
  }

  polled(): PolledAccount[] {
    return this.#poller.polled();
  }

  #refused(account: string, text: string): void {
    const b = this.#accounts.get(account);
    if (b?.ws === undefined) return;
    void b.ws.close();
    this.#accounts.set(account, { ...b, ws: undefined });
    this.#poller.add(b.a, b.events, `the venue refused its user streams: ${text}`, b.since);
    this.#problem(
      `hyperliquid wallet ${account}: user streams refused (${text}); polled every ${this.#poller.intervalMs()} ms instead`,
    );
  }
}

/** What `perpbot status` should show: the polled wallets with their period, unarmed switches. */
export function hyperliquidNotices(
  venue: string,
  polled: readonly PolledAccount[],
  deadMan: readonly DeadManState[],
): VenueNotice[] {
  const out: VenueNotice[] = polled.map((p) => ({
    venue,
    key: `user_stream_polled:${p.account}`,
    text: `wallet ${p.account} polled every ${(p.intervalMs / 1000).toFixed(1)} s, not streamed (${p.reason})`,
  }));
  for (const d of deadMan)
    if (d.refused !== null)
      out.push({
        venue,
        key: `dead_man_refused:${d.account}`,
        text: `wallet ${d.account}: dead man's switch not armed: ${d.refused}`,
      });
  return out;
}
