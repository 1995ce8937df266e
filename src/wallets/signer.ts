import { createPrivateKey, createPublicKey, type KeyObject, sign } from "node:crypto";
import type { AccountSigner, SignatureScheme } from "../core/venue-account.ts";
import { KeystoreUsageError } from "./errors.ts";
import type { Keystore } from "./keystore.ts";

/** Where a signing key sits in the keystore. */
export interface SignerSource {
  readonly walletId: string;
  readonly scheme: SignatureScheme;
  /**
   * A secret field of the wallet's account on `venue` (e.g. an API or agent key), or absent for
   * the wallet's own 32-byte private key.
   */
  readonly venue?: string;
  readonly field?: string;
}

// PKCS#8 wrapper of a raw 32-byte Ed25519 seed (RFC 8410, section 7): this prefix, then the seed
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * A signer for one account, built from the keystore. The key is decrypted once into a node:crypto
 * KeyObject (kept in the signer's closure, outside any string); the decrypted bytes and the
 * DER copy are zeroed before this returns.
 */
export async function signerFromKeystore(keystore: Keystore, source: SignerSource): Promise<AccountSigner> {
  const where = `wallet ${source.walletId}${source.venue === undefined ? "" : `, ${source.venue}.${source.field}`}`;
  if ((source.venue === undefined) !== (source.field === undefined))
    throw new KeystoreUsageError(`${where}: a signer's venue and field are given together or not at all`);
  const build = (key: Buffer) => signerFromKeyBytes(source.scheme, key, where);
  if (source.venue === undefined) return keystore.withWalletKey(source.walletId, build);
  return keystore.withSecret(source.walletId, source.venue, (secrets) => {
    const key = secrets.get(source.field!);
    if (key === undefined)
      throw new KeystoreUsageError(`${where}: no such secret field (has: ${[...secrets.keys()].join(", ")})`);
    return build(key);
  });
}

/** A signer from raw key bytes the caller zeroes afterwards (the bytes are not kept). */
export function signerFromKeyBytes(scheme: SignatureScheme, key: Uint8Array, where: string): AccountSigner {
  if (scheme === "ed25519") return ed25519Signer(key, where);
  if (scheme === "secp256k1")
    // TODO(hyperliquid issue): recoverable ECDSA over a 32-byte digest (r ‖ s ‖ v, low s); node:crypto
    // signs only DER without the recovery id, so the Hyperliquid connector brings @noble/curves
    throw new KeystoreUsageError(
      `${where}: secp256k1 signing is not available yet (the Hyperliquid connector adds it)`,
    );
  throw new KeystoreUsageError(`${where}: unknown signature scheme "${String(scheme)}"`);
}

function ed25519Signer(seed: Uint8Array, where: string): AccountSigner {
  if (seed.length !== 32)
    throw new KeystoreUsageError(`${where}: an ed25519 key is a 32-byte seed, got ${seed.length} bytes`);
  const der = Buffer.concat([ED25519_PKCS8_PREFIX, seed]);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  } finally {
    der.fill(0);
  }
  // the raw public key is the last 32 bytes of its SPKI encoding
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  const publicKey = spki.subarray(spki.length - 32).toString("hex");
  return {
    scheme: "ed25519",
    publicKey,
    async sign(payload: Uint8Array): Promise<Uint8Array> {
      return new Uint8Array(sign(null, payload, key));
    },
    // an accidental JSON.stringify or console.log shows the public half only
    toJSON: () => ({ scheme: "ed25519", publicKey }),
  } as AccountSigner;
}
