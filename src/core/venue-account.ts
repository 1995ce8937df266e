/**
 * An account attached to a venue: who it is there and what signs for it. The signer is built from
 * the keystore (src/wallets/signer.ts) and holds its key privately; nothing here ever carries a
 * secret as a string.
 */
export type SignatureScheme = "ed25519" | "secp256k1" | "ecgfp5" | "stark" | "hmac";

/**
 * Signs for one account. Opaque: it exposes its public key and a signing operation, never the
 * secret. `sign` takes the exact bytes the venue's protocol says to sign:
 * - ed25519: the message itself; returns the 64-byte signature (RFC 8032).
 * - secp256k1: a 32-byte digest the venue's protocol computed (e.g. an EIP-712 hash); returns
 *   65 bytes r ‖ s ‖ recovery id (0 or 1), s in the lower half.
 * - ecgfp5: Lighter's API key (a 40-byte scalar on ECgFp5). The venue's official signer signs
 *   whole transactions, not digests, so `sign` is refused; `handOff` gives the key, once, to that
 *   signer (venues/lighter/signing.ts), and `publicKey` is empty (only that signer derives it).
 * - stark: a Starknet private key (32 bytes, below the curve order); signs a 32-byte big-endian
 *   felt (a typed-data message hash) and returns r ‖ s (64 bytes); `publicKey` is the Stark key
 *   (the x coordinate, 32 bytes).
 * - hmac: no private key at all, only a shared API secret (an exchange-managed account, e.g.
 *   Hibachi's): `sign` is refused, `publicKey` is empty and `hmacSha256` is always present.
 */
export interface AccountSigner {
  readonly scheme: SignatureScheme;
  /** lowercase hex of the public key (ed25519: 32 bytes; secp256k1: 33 bytes compressed) */
  readonly publicKey: string;
  sign(payload: Uint8Array): Promise<Uint8Array>;
  /**
   * Present when the account also authenticates requests with a shared API secret (EdgeX): the
   * HMAC-SHA256 of `message` under that secret (its key form is the SignerSource's `hmac`). The
   * secret stays inside the signer like the private key.
   */
  hmacSha256?(message: Uint8Array): Uint8Array;
  /**
   * With `hmacSha256`, when the venue also wants an API passphrase in a request header (EdgeX's
   * X-edgeX-Passphrase): its text, from the keystore. Never part of the account's identity.
   */
  apiPassphrase?(): string;
  /**
   * ecgfp5 only: run `use` with the key bytes, which are zeroed when it returns; a second call
   * throws (the key lives on in the venue's signer, not here).
   */
  handOff?(use: (key: Uint8Array) => void): void;
}

/** Public identity of an account on a venue; which fields matter is the venue's business. */
export interface AccountIdentity {
  /** the on-chain address or account id the venue knows it by */
  readonly address?: string;
  /** a sub-account or vault the orders are placed for */
  readonly subAccount?: string;
  /** the API / agent key id the venue registered for the signer */
  readonly apiKeyId?: string;
}

export interface AccountBinding {
  /** perpbot's account id (the wallet id), the `account` of every order and report */
  readonly account: string;
  readonly identity: AccountIdentity;
  /** absent for venues that sign nothing (the simulator) */
  readonly signer?: AccountSigner;
  /**
   * Which outbound address the account's requests use (a proxy's id, "direct" by default): the
   * key of the venue's per-IP rate-limit scopes.
   */
  readonly egress?: string;
}
