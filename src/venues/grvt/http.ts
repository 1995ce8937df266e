import type { Clock } from "../../core/clock.ts";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import type { AccountSigner } from "../../core/venue-account.ts";
import { transportError } from "../kit/transport.ts";
import type { GrvtHosts } from "./config.ts";
import { ErrorSchema } from "./parse.ts";
import { randomNonce, walletLoginBody } from "./signing.ts";

/**
 * GRVT REST transport: every call is a JSON POST (ccxt js/src/grvt.js `sign`: an empty body is
 * `{}`). Private calls carry the session of `auth/wallet/login` — the `gravity=` cookie and the
 * `X-Grvt-Account-Id` header. Failures leave as the contract's two errors:
 * - nothing sent (refused, DNS): VenueUnknownOutcomeError "unavailable";
 * - sent, then timeout or reset: "timeout"; HTTP 5xx or a body that is not JSON: "server_error";
 *   HTTP 429 or code 1006: "rate_limited" (the request may or may not have been handled);
 * - any other answer `{code, message, status}`: GrvtRejectError (the venue refused, did nothing),
 *   `reason` = "grvt_<code>". A session the venue no longer knows (code 1000) is renewed once and
 *   the call repeated: the refused call did nothing, so repeating it is safe.
 */

/** ccxt renews its session after 24 h (`signInExpiration`); renew a little earlier. */
const SESSION_MS = 23 * 3_600_000;
const LOGIN_EXPIRY_MS = 60_000;

export type GrvtHost = "edge" | "trades" | "market";

export interface GrvtSession {
  readonly cookie: string;
  readonly accountId: string;
  readonly expiresAt: number;
}

export class GrvtRejectError extends VenueRejectError {
  readonly code: number;
  readonly status: number;
  constructor(code: number, status: number, message: string) {
    super(`grvt_${code}`, message);
    this.code = code;
    this.status = status;
    this.name = "GrvtRejectError";
  }
}

interface Answer {
  readonly json: unknown;
  readonly headers: Headers;
}

export class GrvtHttp {
  readonly hosts: GrvtHosts;
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly chainId: number;
  readonly #sessions = new Map<AccountSigner, GrvtSession>();
  readonly #logins = new Map<AccountSigner, Promise<GrvtSession>>();

  constructor(opts: { hosts: GrvtHosts; timeoutMs: number; clock: Clock; chainId: number }) {
    this.hosts = opts.hosts;
    this.timeoutMs = opts.timeoutMs;
    this.clock = opts.clock;
    this.chainId = opts.chainId;
  }

  /** A public call (market data). */
  async publicCall(path: string, body: Record<string, unknown>): Promise<unknown> {
    return (await this.#send("market", path, body, undefined)).json;
  }

  /** A private call as `signer`'s session, logging in first when there is none (or it lapsed). */
  async privateCall(signer: AccountSigner, path: string, body: Record<string, unknown>): Promise<unknown> {
    const session = await this.session(signer);
    try {
      return (await this.#send("trades", path, body, session)).json;
    } catch (e) {
      if (!(e instanceof GrvtRejectError && e.code === 1000)) throw e;
      this.#sessions.delete(signer);
      return (await this.#send("trades", path, body, await this.session(signer))).json;
    }
  }

  /** The signer's session: the cached one, or a fresh wallet login (one at a time per signer). */
  async session(signer: AccountSigner): Promise<GrvtSession> {
    const s = this.#sessions.get(signer);
    if (s !== undefined && s.expiresAt > this.clock.now()) return s;
    let p = this.#logins.get(signer);
    if (p === undefined) {
      p = this.#login(signer).finally(() => this.#logins.delete(signer));
      this.#logins.set(signer, p);
    }
    return p;
  }

  async #login(signer: AccountSigner): Promise<GrvtSession> {
    const now = this.clock.now();
    const body = await walletLoginBody(
      signer,
      randomNonce(),
      BigInt(now + LOGIN_EXPIRY_MS) * 1_000_000n,
      this.chainId,
    );
    const { headers } = await this.#send("edge", "/auth/wallet/login", body, undefined);
    const cookie = headers
      .getSetCookie()
      .map((c) => c.split(";")[0].trim())
      .find((c) => c.startsWith("gravity="));
    const accountId = headers.get("x-grvt-account-id") ?? "";
    if (cookie === undefined || accountId === "")
      throw new GrvtRejectError(
        1000,
        401,
        `grvt login ${body.address}: no gravity= cookie or X-Grvt-Account-Id in the answer`,
      );
    const session = { cookie, accountId, expiresAt: now + SESSION_MS };
    this.#sessions.set(signer, session);
    return session;
  }

  async #send(
    host: GrvtHost,
    path: string,
    body: unknown,
    session: GrvtSession | undefined,
  ): Promise<Answer> {
    const where = `grvt POST ${path}`;
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (session !== undefined) {
      headers.Cookie = session.cookie;
      headers["X-Grvt-Account-Id"] = session.accountId;
    } else if (host === "edge") headers.Cookie = "rm=true;";
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.hosts[host]}${path}`, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      throw transportError(e, where);
    }
    let json: unknown;
    try {
      json = text === "" ? {} : JSON.parse(text);
    } catch {
      json = undefined;
    }
    const err = ErrorSchema.safeParse(json);
    if (res.status === 429 || (err.success && err.data.code === 1006))
      throw new VenueUnknownOutcomeError(
        "rate_limited",
        `${where}: HTTP ${res.status} ${text.slice(0, 200)}`,
      );
    if (res.status >= 500 || json === undefined)
      throw new VenueUnknownOutcomeError(
        "server_error",
        `${where}: HTTP ${res.status} ${text.slice(0, 200)}`,
      );
    if (err.success)
      throw new GrvtRejectError(err.data.code, res.status, `${where}: ${err.data.code}: ${err.data.message}`);
    if (!res.ok)
      throw new GrvtRejectError(0, res.status, `${where}: HTTP ${res.status} ${text.slice(0, 200)}`);
    return { json, headers: res.headers };
  }
}
