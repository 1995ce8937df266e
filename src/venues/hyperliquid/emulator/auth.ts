/**
 * Who may act, after the venue's rules (HLd "Nonces and API wallets", "Exchange endpoint";
 * VENUES.md §1.2, §1.9): the signer is recovered from the signature (verify.ts), must be a known
 * user or an agent that user approved, and its nonce must be unused, above the smallest of the
 * highest `keep` nonces it used, and within (now − 2 days, now + 1 day). A request that fails any
 * check changes nothing (the nonce is not burnt).
 */
import { recoverSigner } from "./verify.ts";

const DAY = 86_400_000;

export interface AuthOptions {
  readonly mainnet: boolean;
  readonly now: () => number;
  /** highest nonces kept per signer (the venue: 100) */
  readonly keep: number;
}

export type AuthResult =
  | { readonly ok: true; readonly signer: string; readonly user: string; readonly kind: "l1" | "userSigned" }
  | { readonly ok: false; readonly error: string; readonly parseError?: boolean };

export class Auth {
  readonly opts: AuthOptions;
  /** master addresses (lower case) with an account */
  readonly users = new Set<string>();
  /** agent address → { master, name, validUntil } */
  readonly agents = new Map<string, { master: string; name: string; validUntil?: number }>();
  readonly #nonces = new Map<string, number[]>();
  /** requests refused for their nonce, by signer (the chaos test requires none) */
  readonly nonceRefusals = new Map<string, number>();

  constructor(opts: AuthOptions) {
    this.opts = opts;
  }

  /**
   * Check a posted `/exchange` body. On success the nonce is recorded only when `commit` is
   * called (after the rate limits passed too), so a refused request leaves no trace.
   */
  check(body: unknown): AuthResult & { commit?: () => void } {
    let rec: ReturnType<typeof recoverSigner>;
    try {
      rec = recoverSigner(body, this.opts.mainnet);
    } catch (e) {
      return {
        ok: false,
        parseError: true,
        error: `Failed to deserialize the JSON body: ${(e as Error).message}`,
      };
    }
    const b = body as {
      action: Record<string, unknown>;
      nonce: number;
      vaultAddress?: string | null;
      expiresAfter?: number | null;
    };
    // the venue reports a signature that recovers to nobody it knows as an unknown wallet
    const signer = rec.signer ?? `0x${"00".repeat(20)}`;
    const now = this.opts.now();
    let user: string;
    if (rec.kind === "userSigned") {
      if (rec.hyperliquidChain !== (this.opts.mainnet ? "Mainnet" : "Testnet"))
        return { ok: false, error: `Invalid hyperliquidChain: ${String(rec.hyperliquidChain)}.` };
      if (!this.users.has(signer))
        return { ok: false, error: `User or API Wallet ${signer} does not exist.` };
      user = signer;
    } else {
      const agent = this.agents.get(signer);
      const master = this.users.has(signer)
        ? signer
        : agent && (agent.validUntil === undefined || agent.validUntil > now)
          ? agent.master
          : undefined;
      if (!master) return { ok: false, error: `User or API Wallet ${signer} does not exist.` };
      user = master;
      if (typeof b.vaultAddress === "string") {
        const vault = b.vaultAddress.toLowerCase();
        if (!this.users.has(vault)) return { ok: false, error: `Vault ${vault} does not exist.` };
        user = vault;
      }
    }
    if (typeof b.expiresAfter === "number" && now > b.expiresAfter)
      // wording not in the public docs (VENUES.md §1.2): the emulator's own
      return { ok: false, error: `Action expired: expiresAfter ${b.expiresAfter} is before ${now}.` };
    const bad = this.#nonceProblem(signer, b.nonce, now);
    if (bad) {
      this.nonceRefusals.set(signer, (this.nonceRefusals.get(signer) ?? 0) + 1);
      return { ok: false, error: bad };
    }
    return { ok: true, signer, user, kind: rec.kind, commit: () => this.#useNonce(signer, b.nonce) };
  }

  /**
   * The `userRole` info answer (HLd "Info endpoint", query a user's role; shape as documented:
   * `{"role":"agent","data":{"user":master}}`, or `{"role":"user"}` / `{"role":"missing"}`).
   */
  role(address: string, now: number): { role: string; data?: { user: string } } {
    const a = address.toLowerCase();
    if (this.users.has(a)) return { role: "user" };
    const agent = this.agents.get(a);
    if (agent && (agent.validUntil === undefined || agent.validUntil > now))
      return { role: "agent", data: { user: agent.master } };
    return { role: "missing" };
  }

  /** Whether `nonce` was already used by `signer` (a noop on it would be refused). */
  used(signer: string, nonce: number): boolean {
    return this.#nonces.get(signer)?.includes(nonce) ?? false;
  }

  #nonceProblem(signer: string, nonce: number, now: number): string | undefined {
    // wordings after the prefix the venue uses ("Invalid nonce"); the details are the emulator's
    if (nonce <= now - 2 * DAY || nonce >= now + DAY)
      return `Invalid nonce: ${nonce} is outside the allowed window (now ${now} − 2 days, + 1 day).`;
    const set = this.#nonces.get(signer) ?? [];
    if (set.includes(nonce)) return `Invalid nonce: ${nonce} was already used.`;
    if (set.length >= this.opts.keep && nonce <= set[0])
      return `Invalid nonce: ${nonce} is not above the smallest of the ${this.opts.keep} highest nonces used.`;
    return undefined;
  }

  #useNonce(signer: string, nonce: number): void {
    const set = this.#nonces.get(signer) ?? [];
    set.push(nonce);
    set.sort((a, b) => a - b);
    if (set.length > this.opts.keep) set.shift();
    this.#nonces.set(signer, set);
  }
}
