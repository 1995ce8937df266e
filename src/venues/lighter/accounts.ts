import type { Clock } from "../../core/clock.ts";
import type { LighterHttp } from "./http.ts";
import { NonceKeeper } from "./nonce.ts";
import type { LighterTxSigner } from "./signing.ts";

/** A token is renewed this long before its deadline, so none expires in flight. */
export const TOKEN_RENEW_BEFORE_MS = 10 * 60_000;

/**
 * One bound Lighter account: its index, the API key it signs with (inside the official signer),
 * that key's nonces, and its auth token for private reads and streams (`CreateAuthToken`,
 * renewed 10 minutes before its deadline; VENUES.md §2.1: at most 8 h).
 */
export class LighterAccount {
  readonly account: string;
  readonly accountIndex: number;
  readonly apiKeyIndex: number;
  readonly signer: LighterTxSigner;
  readonly nonces: NonceKeeper;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  #token: { text: string; deadlineMs: number } | undefined;
  /** tokens made (a health figure, and what tests check) */
  tokensMade = 0;

  constructor(opts: {
    account: string;
    signer: LighterTxSigner;
    http: LighterHttp;
    clock: Clock;
    tokenTtlMs: number;
  }) {
    this.account = opts.account;
    this.signer = opts.signer;
    this.accountIndex = opts.signer.accountIndex;
    this.apiKeyIndex = opts.signer.apiKeyIndex;
    this.#clock = opts.clock;
    this.#ttlMs = opts.tokenTtlMs;
    this.nonces = new NonceKeeper(() =>
      opts.http.get("nextNonce", { account_index: this.accountIndex, api_key_index: this.apiKeyIndex }),
    );
  }

  /** The current auth token, made anew when none is left or it expires within 10 minutes. */
  token(): string {
    const now = this.#clock.now();
    if (this.#token === undefined || this.#token.deadlineMs - now < TOKEN_RENEW_BEFORE_MS) {
      const deadlineSec = Math.floor((now + this.#ttlMs) / 1000);
      this.#token = { text: this.signer.authToken(deadlineSec), deadlineMs: deadlineSec * 1000 };
      this.tokensMade++;
    }
    return this.#token.text;
  }
}
