/**
 * Each bound wallet's XP (`GET /xp/account-balance`, ccxt@4.5.84 paradex.js private GET list):
 * read at bind and every `pollMs` after, kept as the wallet's points for `perpbot status`
 * (core/venue-points.ts). The venue gives a balance only, so `lastWeek` is 0. A failed read keeps
 * the last value and is reported as a notice.
 */
import type { Clock } from "../../core/clock.ts";
import type { WalletPointsReport } from "../../core/venue-points.ts";
import type { JwtSession } from "./auth.ts";
import type { ParadexHttp } from "./http.ts";
import { readXp } from "./orders.ts";

export class XpKeeper {
  readonly #venueId: string;
  readonly #http: ParadexHttp;
  readonly #clock: Clock;
  readonly #pollMs: number;
  readonly #problem: (account: string, e: Error) => void;
  readonly #sessions = new Map<string, JwtSession>();
  readonly #kept = new Map<string, { readonly balance: number; readonly ts: number }>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    venueId: string,
    deps: { http: ParadexHttp; clock: Clock; pollMs: number; problem: (account: string, e: Error) => void },
  ) {
    this.#venueId = venueId;
    this.#http = deps.http;
    this.#clock = deps.clock;
    this.#pollMs = deps.pollMs;
    this.#problem = deps.problem;
  }

  /** Start keeping a wallet's XP: read now, then with the others every pollMs. */
  add(account: string, session: JwtSession): void {
    this.#sessions.set(account, session);
    void this.#read(account);
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      for (const a of this.#sessions.keys()) void this.#read(a);
    }, this.#pollMs);
    this.#timer.unref?.();
  }

  async #read(account: string): Promise<void> {
    const session = this.#sessions.get(account);
    if (session === undefined) return;
    try {
      const balance = await readXp({ http: this.#http, session });
      this.#kept.set(account, { balance: Number(balance), ts: this.#clock.now() });
    } catch (e) {
      this.#problem(account, e as Error);
    }
  }

  kept(): readonly WalletPointsReport[] {
    return [...this.#kept].map(([account, x]) => ({
      venue: this.#venueId,
      account,
      total: x.balance,
      lastWeek: 0,
      ts: x.ts,
    }));
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
