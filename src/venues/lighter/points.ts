import type { Clock } from "../../core/clock.ts";
import type { LighterAccount } from "./accounts.ts";
import type { LighterHttp } from "./http.ts";
import { PointsSchema, parseAs } from "./parse.ts";

/** One wallet's Lighter points as `referral/points` reported them. */
export interface WalletPoints {
  readonly account: string;
  readonly total: number;
  readonly lastWeek: number;
  /** when they were read (ms) */
  readonly ts: number;
}

/**
 * Points per wallet from `referral/points?account_index=` (auth; LO ReferralPoints). The endpoint
 * weighs 3000 on premium accounts and counts against the standard 60 a minute, and points move
 * slowly: a wallet's value is read at most once per `pollMs` (hourly by default); a read within
 * that time returns the kept value, and concurrent reads share one request.
 */
export class PointsReader {
  readonly #http: LighterHttp;
  readonly #clock: Clock;
  readonly #pollMs: number;
  readonly #accountOf: (account: string) => LighterAccount;
  readonly #kept = new Map<string, WalletPoints>();
  readonly #inflight = new Map<string, Promise<WalletPoints>>();
  /** requests sent (what tests check) */
  requests = 0;

  constructor(
    http: LighterHttp,
    clock: Clock,
    pollMs: number,
    accountOf: (account: string) => LighterAccount,
  ) {
    this.#http = http;
    this.#clock = clock;
    this.#pollMs = pollMs;
    this.#accountOf = accountOf;
  }

  /** The last value read, without a request (undefined before the first read). */
  kept(account: string): WalletPoints | undefined {
    return this.#kept.get(account);
  }

  read(account: string): Promise<WalletPoints> {
    const k = this.#kept.get(account);
    if (k !== undefined && this.#clock.now() - k.ts < this.#pollMs) return Promise.resolve(k);
    let p = this.#inflight.get(account);
    if (p === undefined) {
      p = this.#fetch(account).finally(() => this.#inflight.delete(account));
      this.#inflight.set(account, p);
    }
    return p;
  }

  async #fetch(account: string): Promise<WalletPoints> {
    const a = this.#accountOf(account);
    this.requests++;
    const raw = await this.#http.get("referral/points", { account_index: a.accountIndex }, a.token());
    const p = parseAs(PointsSchema, raw, `referral/points of wallet ${account} (account ${a.accountIndex})`);
    const out: WalletPoints = {
      account,
      total: p.user_total_points,
      lastWeek: p.user_last_week_points,
      ts: this.#clock.now(),
    };
    this.#kept.set(account, out);
    return out;
  }

  stop(): void {
    this.#inflight.clear();
  }
}
