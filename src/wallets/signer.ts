import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type KeyObject,
  sign,
} from "node:crypto";
import * as starknet from "@scure/starknet";
import type { AccountSigner, SignatureScheme } from "../core/venue-account.ts";
import { registerSecret } from "../log/redact.ts";
import { checkPrivateKey } from "./address.ts";
import { KeystoreUsageError } from "./errors.ts";
import type { Keystore } from "./keystore.ts";
import { compressPublicKey, secp } from "./secp256k1.ts";
import { secretForms } from "./secret-encoding.ts";

/** Where a signing key sits in the keystore. */
export interface SignerSource {
  readonly walletId: string;
  readonly scheme: SignatureScheme;
  /**
   * A secret field of the wallet's account on `venue` (e.g. an API or agent key), or absent for
   * the wallet's own 32-byte private key. Scheme "hmac" (an exchange-managed account: no private
   * key) gives `venue` and `hmac` only, never `field`.
   */
  readonly venue?: string;
  readonly field?: string;
  /**
   * How the field holds the key when it is text rather than raw bytes: "base64" (Backpack shows
   * its API secrets as base64 of the 32-byte seed). Absent: the stored bytes are the key.
   */
  readonly text?: "base64";
  /**
   * A second secret field of the same venue entry that keys HMAC-SHA256 request authentication
   * (`AccountSigner.hmacSha256`). `key` says how the stored text becomes the HMAC key: "stored" —
   * its bytes as they are; "base64-text" — the ASCII of base64(stored text), as EdgeX's SDK does
   * (edgex-python-sdk `edgex_sdk/internal/auth.py` `build_hmac_signature`). `passphrase`: a third
   * field of the entry, the API passphrase sent beside the HMAC (`AccountSigner.apiPassphrase`).
   */
  readonly hmac?: {
    readonly field: string;
    readonly key: "stored" | "base64-text";
    readonly passphrase?: string;
  };
}

/**
 * Attach HMAC-SHA256 request authentication keyed by `secret` (copied into a KeyObject) to a
 * signer, and the API passphrase (UTF-8 text) when the venue sends one beside the HMAC.
 */
export function withHmac(
  signer: AccountSigner,
  secret: Uint8Array,
  form: "stored" | "base64-text" = "stored",
  passphrase?: Uint8Array,
): AccountSigner {
  const bytes =
    form === "stored" ? Buffer.from(secret) : Buffer.from(Buffer.from(secret).toString("base64"), "ascii");
  for (const f of secretForms(bytes, "hex")) registerSecret(f);
  const key = createSecretKey(bytes);
  bytes.fill(0);
  const out = Object.create(signer) as AccountSigner;
  Object.defineProperty(out, "hmacSha256", {
    value: (message: Uint8Array) => new Uint8Array(createHmac("sha256", key).update(message).digest()),
  });
  if (passphrase !== undefined) {
    // a header value is a string at the socket anyway; kept in the closure, scrubbed from logs
    const text = Buffer.from(passphrase).toString("utf8");
    for (const f of secretForms(passphrase, "utf8")) registerSecret(f);
    Object.defineProperty(out, "apiPassphrase", { value: () => text });
  }
  return out;
}

const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

/** The key bytes of a base64 text secret (a fresh buffer the caller zeroes). */
function fromBase64Text(stored: Buffer, where: string): Buffer {
  const text = stored.toString("utf8");
  if (!BASE64_RE.test(text) || text.length % 4 !== 0)
    throw new KeystoreUsageError(
      `${where}: expected the secret as base64 text (as the venue shows it), got ${text.length} characters that are not`,
    );
  return Buffer.from(text, "base64");
}

// PKCS#8 wrapper of a raw 32-byte Ed25519 seed (RFC 8410, section 7): this prefix, then the seed
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * A signer for one account, built from the keystore. The key is decrypted once into a node:crypto
 * KeyObject (kept in the signer's closure, outside any string); the decrypted bytes and the
 * DER copy are zeroed before this returns.
 */
export async function signerFromKeystore(keystore: Keystore, source: SignerSource): Promise<AccountSigner> {
  if (source.scheme === "hmac") return hmacOnlyFromKeystore(keystore, source);
  const where = `wallet ${source.walletId}${source.venue === undefined ? "" : `, ${source.venue}.${source.field}`}`;
  if ((source.venue === undefined) !== (source.field === undefined))
    throw new KeystoreUsageError(`${where}: a signer's venue and field are given together or not at all`);
  const build = (key: Buffer) => signerFromKeyBytes(source.scheme, key, where);
  if (source.venue === undefined) return keystore.withWalletKey(source.walletId, build);
  const signer = await keystore.withSecret(source.walletId, source.venue, (secrets) => {
    const key = secrets.get(source.field!);
    if (key === undefined)
      throw new KeystoreUsageError(
        `${where}: no such secret field (has: ${[...secrets.keys()].join(", ") || "none"})`,
      );
    if (source.text === undefined) return build(key);
    const raw = fromBase64Text(key, where);
    // the decoded seed's own printable forms (hex, …) are scrubbed from logs like the text's
    for (const f of secretForms(raw, "hex")) registerSecret(f);
    try {
      return build(raw);
    } finally {
      raw.fill(0);
    }
  });
  return source.hmac === undefined ? signer : attachHmac(keystore, source, signer);
}

/** `signer` with the HMAC secret (and passphrase) of `source.hmac` attached from the keystore. */
function attachHmac(keystore: Keystore, source: SignerSource, signer: AccountSigner): Promise<AccountSigner> {
  const hmac = source.hmac!;
  return keystore.withSecret(source.walletId, source.venue!, (secrets) => {
    const field = (name: string) => {
      const v = secrets.get(name);
      if (v === undefined)
        throw new KeystoreUsageError(
          `wallet ${source.walletId}, ${source.venue}.${name}: no such secret field (has: ${[...secrets.keys()].join(", ") || "none"})`,
        );
      return v;
    };
    const secret = field(hmac.field);
    const passphrase = hmac.passphrase === undefined ? undefined : field(hmac.passphrase);
    return withHmac(signer, secret, hmac.key, passphrase);
  });
}

/** An exchange-managed account's signer: its API secret only (scheme "hmac"), from the keystore. */
function hmacOnlyFromKeystore(keystore: Keystore, source: SignerSource): Promise<AccountSigner> {
  const where = `wallet ${source.walletId}${source.venue === undefined ? "" : `, ${source.venue}`}`;
  if (source.venue === undefined || source.hmac === undefined || source.field !== undefined)
    throw new KeystoreUsageError(
      `${where}: an hmac signer names its venue and hmac secret field, and no private-key field`,
    );
  return attachHmac(keystore, source, hmacOnlyBase(where));
}

/**
 * An HMAC-only signer keyed by `secret` (copied; the caller zeroes its buffer): an
 * exchange-managed account that holds no private key. `sign` is refused.
 */
export function hmacOnlySigner(
  secret: Uint8Array,
  where: string,
  form: "stored" | "base64-text" = "stored",
): AccountSigner {
  return withHmac(hmacOnlyBase(where), secret, form);
}

function hmacOnlyBase(where: string): AccountSigner {
  return {
    scheme: "hmac",
    publicKey: "",
    async sign(): Promise<Uint8Array> {
      throw new KeystoreUsageError(
        `${where}: an exchange-managed account has no private key; it signs by HMAC only`,
      );
    },
    toJSON: () => ({ scheme: "hmac" }),
    [Symbol.for("nodejs.util.inspect.custom")]: () => "AccountSigner(hmac)",
  } as AccountSigner;
}

/** A signer from raw key bytes the caller zeroes afterwards (the bytes are not kept). */
export function signerFromKeyBytes(scheme: SignatureScheme, key: Uint8Array, where: string): AccountSigner {
  if (scheme === "ed25519") return ed25519Signer(key, where);
  if (scheme === "secp256k1") return secp256k1Signer(key, where);
  if (scheme === "ecgfp5") return ecgfp5KeyHolder(key, where);
  if (scheme === "stark") return starkSigner(key, where);
  if (scheme === "hmac") return hmacOnlySigner(key, where);
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

/**
 * Recoverable ECDSA over a 32-byte digest (RFC 6979 nonces, low s) with libsecp256k1 (native
 * prebuild, else its WASM build: secp256k1.ts). node:crypto cannot be used: it signs DER without
 * the recovery id EVM venues need. The key is copied into the closure (the caller zeroes its own
 * buffer); libsecp256k1 needs the raw bytes at each signature, so no KeyObject can hold it.
 */
function secp256k1Signer(raw: Uint8Array, where: string): AccountSigner {
  checkPrivateKey(raw, where);
  const key = Uint8Array.from(raw);
  const publicKey = Buffer.from(compressPublicKey(secp.publicKey(key))).toString("hex");
  return {
    scheme: "secp256k1",
    publicKey,
    async sign(digest: Uint8Array): Promise<Uint8Array> {
      if (digest.length !== 32)
        throw new KeystoreUsageError(
          `${where}: secp256k1 signs a 32-byte digest, got ${digest.length} bytes`,
        );
      const sig = secp.sign(digest, key);
      const out = new Uint8Array(65);
      out.set(sig.compact, 0);
      out[64] = sig.recid;
      return out;
    },
    toJSON: () => ({ scheme: "secp256k1", publicKey }),
    [Symbol.for("nodejs.util.inspect.custom")]: () => `AccountSigner(secp256k1 ${publicKey})`,
  } as AccountSigner;
}

/**
 * A Lighter API key (40 bytes, ECgFp5 scalar, little-endian) held until the venue's signer takes
 * it: Lighter's official signer (Go → WASM) signs whole transactions with the key it was given,
 * so this holder never signs; `handOff` passes the bytes once and zeroes its copy.
 */
function ecgfp5KeyHolder(raw: Uint8Array, where: string): AccountSigner {
  if (raw.length !== 40)
    throw new KeystoreUsageError(`${where}: a Lighter API key is 40 bytes, got ${raw.length} bytes`);
  let key: Uint8Array | undefined = Uint8Array.from(raw);
  return {
    scheme: "ecgfp5",
    publicKey: "",
    async sign(): Promise<Uint8Array> {
      throw new KeystoreUsageError(`${where}: a Lighter API key signs transactions in Lighter's signer only`);
    },
    handOff(use: (key: Uint8Array) => void): void {
      if (key === undefined)
        throw new KeystoreUsageError(`${where}: the Lighter API key was handed off already`);
      const k = key;
      key = undefined;
      try {
        use(k);
      } finally {
        k.fill(0);
      }
    },
    toJSON: () => ({ scheme: "ecgfp5" }),
    [Symbol.for("nodejs.util.inspect.custom")]: () => "AccountSigner(ecgfp5)",
  } as AccountSigner;
}

/**
 * Stark ECDSA (RFC 6979 nonces) over a felt with @scure/starknet, for Starknet venues (Paradex).
 * The key bytes are copied into the closure (the caller zeroes its own buffer).
 */
function starkSigner(raw: Uint8Array, where: string): AccountSigner {
  if (raw.length !== 32)
    throw new KeystoreUsageError(`${where}: a Stark key is 32 bytes, got ${raw.length} bytes`);
  const key = Uint8Array.from(raw);
  let publicKey: string;
  try {
    publicKey = starknet.getStarkKey(key).replace(/^0x/, "").padStart(64, "0");
  } catch (e) {
    throw new KeystoreUsageError(`${where}: not a valid Stark private key (${(e as Error).message})`);
  }
  return {
    scheme: "stark",
    publicKey,
    async sign(felt: Uint8Array): Promise<Uint8Array> {
      if (felt.length !== 32)
        throw new KeystoreUsageError(
          `${where}: a Stark signature is over a 32-byte felt, got ${felt.length} bytes`,
        );
      const sig = starknet.sign(felt, key);
      const out = new Uint8Array(64);
      out.set(Buffer.from(sig.r.toString(16).padStart(64, "0"), "hex"), 0);
      out.set(Buffer.from(sig.s.toString(16).padStart(64, "0"), "hex"), 32);
      return out;
    },
    toJSON: () => ({ scheme: "stark", publicKey }),
    [Symbol.for("nodejs.util.inspect.custom")]: () => `AccountSigner(stark ${publicKey})`,
  } as AccountSigner;
}
