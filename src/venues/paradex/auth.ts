/**
 * One account's JWT session on Paradex. `POST /v1/auth` with a Starknet-signed Request returns
 * a JWT that lasts 5 minutes and cannot be extended; Paradex recommends refreshing well before
 * (docs.paradex.trade "Authentication": e.g. after 3 minutes). `token()` returns the current JWT
 * while it is younger than `refreshAfterMs` and fetches a new one after, concurrent callers
 * sharing one fetch; `invalidate()` (after an INVALID_TOKEN answer) forces the next fetch.
 */

import { z } from "zod";
import type { Clock } from "../../core/clock.ts";
import type { AccountSigner } from "../../core/venue-account.ts";
import { type ParadexHttp, parseAs } from "./http.ts";
import { authHeaders } from "./signing.ts";

export const JWT_REFRESH_AFTER_MS = 180_000;
/** how long the signed auth Request stays valid, s (paradex-py signs for 24 h) */
const AUTH_SIGNATURE_LIFETIME_S = 24 * 3600;

const AuthAnswer = z.object({ jwt_token: z.string().min(1) });

export class JwtSession {
  readonly #http: ParadexHttp;
  readonly #clock: Clock;
  readonly #signer: AccountSigner;
  readonly account: string;
  readonly chain: string;
  readonly refreshAfterMs: number;
  #jwt: { token: string; at: number } | undefined;
  #pending: Promise<string> | undefined;
  fetches = 0;

  constructor(opts: {
    http: ParadexHttp;
    clock: Clock;
    signer: AccountSigner;
    account: string;
    chain: string;
    refreshAfterMs?: number;
  }) {
    this.#http = opts.http;
    this.#clock = opts.clock;
    this.#signer = opts.signer;
    this.account = opts.account;
    this.chain = opts.chain;
    this.refreshAfterMs = opts.refreshAfterMs ?? JWT_REFRESH_AFTER_MS;
  }

  get signer(): AccountSigner {
    return this.#signer;
  }

  async token(): Promise<string> {
    const j = this.#jwt;
    if (j !== undefined && this.#clock.now() - j.at < this.refreshAfterMs) return j.token;
    this.#pending ??= this.#fetch().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  invalidate(): void {
    this.#jwt = undefined;
  }

  async #fetch(): Promise<string> {
    const at = this.#clock.now();
    const ts = Math.floor(at / 1000);
    const headers = await authHeaders(
      this.#signer,
      this.account,
      this.chain,
      ts,
      ts + AUTH_SIGNATURE_LIFETIME_S,
    );
    this.fetches++;
    const ans = parseAs(
      AuthAnswer,
      await this.#http.request({ method: "POST", path: "/auth", headers: { ...headers } }),
      "auth answer",
    );
    this.#jwt = { token: ans.jwt_token, at };
    return ans.jwt_token;
  }
}
