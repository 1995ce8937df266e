/**
 * Signed `/exchange` requests of bound accounts: the action's L1 hash (signing.ts) signed by the
 * account's keystore signer, a nonce from the signer's NonceManager sequence, the vault address
 * when the account trades one, and `expiresAfter` so an order whose answer was lost is final
 * once the expiry passes. Transport outcomes become the contract's errors here:
 * a timeout, reset, 5xx, 429 or unreadable answer is VenueUnknownOutcomeError (the action may
 * have been executed); nothing reached the venue is VenueUnknownOutcomeError "unavailable"
 * (the engine resolves both by order status); an answered request returns the venue's JSON.
 */
import type { Clock } from "../../core/clock.ts";
import { VenueUnknownOutcomeError } from "../../core/venue.ts";
import type { AccountSigner } from "../../core/venue-account.ts";
import type { HlHttp } from "./http.ts";
import type { Packable } from "./msgpack.ts";
import type { NonceManager } from "./nonce.ts";
import type { ExchangeResponse } from "./parse.ts";
import { secp } from "./secp.ts";
import {
  addressOfPublicKey,
  exchangeBody,
  fromHex,
  type HlSignature,
  l1ActionHash,
  l1Digest,
  toHex,
} from "./signing.ts";

/** A bound account as the connector uses it. */
export interface HlAccount {
  readonly account: string;
  /** the master address (lower case) */
  readonly master: string;
  /** the vault or sub-account traded for, if any */
  readonly vault?: string;
  /** whose orders, positions and fills these are: the vault, else the master */
  readonly user: string;
  readonly signer: AccountSigner;
  /** the signer's address: the master's own or its approved agent's */
  readonly signerAddress: string;
}

/** The address of a secp256k1 signer's compressed public key. */
export function signerAddressOf(signer: AccountSigner): string {
  return addressOfPublicKey(secp.decompress(fromHex(signer.publicKey, 33)));
}

/** r ‖ s ‖ recovery id (the AccountSigner contract) as the venue's {r, s, v}. */
export function toHlSignature(sig: Uint8Array): HlSignature {
  if (sig.length !== 65 || sig[64] > 1) throw new RangeError("expected 65 bytes r ‖ s ‖ recovery id 0/1");
  return { r: toHex(sig.subarray(0, 32)), s: toHex(sig.subarray(32, 64)), v: sig[64] === 0 ? 27 : 28 };
}

export class HlExchange {
  readonly #http: HlHttp;
  readonly #nonces: NonceManager;
  readonly #clock: Clock;
  readonly mainnet: boolean;
  readonly #expiryMs: number;

  constructor(opts: {
    http: HlHttp;
    nonces: NonceManager;
    clock: Clock;
    mainnet: boolean;
    expiryMs: number;
  }) {
    this.#http = opts.http;
    this.#nonces = opts.nonces;
    this.#clock = opts.clock;
    this.mainnet = opts.mainnet;
    this.#expiryMs = opts.expiryMs;
  }

  /** The signed request body of an L1 action (no I/O but the signer). */
  async body(
    a: HlAccount,
    action: Packable,
  ): Promise<{ body: string; nonce: number; expiresAfter?: number }> {
    const nonce = this.#nonces.next(a.signerAddress);
    const expiresAfter = this.#expiryMs > 0 ? this.#clock.now() + this.#expiryMs : undefined;
    const digest = l1Digest(l1ActionHash(action, nonce, a.vault, expiresAfter), this.mainnet);
    const signature = toHlSignature(await a.signer.sign(digest));
    return { body: exchangeBody(action, nonce, signature, a.vault, expiresAfter), nonce, expiresAfter };
  }

  /**
   * Sign and post; resolves with the venue's answer (which may itself be an error: HTTP 200 with
   * `status: "err"`), throws VenueUnknownOutcomeError when no answer can be trusted.
   */
  async send(a: HlAccount, action: Packable, what: string, batch = 1): Promise<ExchangeResponse> {
    const { body } = await this.body(a, action);
    const out = await this.#http.exchange(body, batch);
    if (out.kind === "answered") return out.value;
    const where = `hyperliquid wallet ${a.account}: ${what}`;
    if (out.kind === "unavailable")
      throw new VenueUnknownOutcomeError(
        "unavailable",
        `${where}: the venue could not be reached (${out.detail})`,
      );
    throw new VenueUnknownOutcomeError(out.reason, `${where}: outcome unknown (${out.detail})`);
  }
}
