/**
 * The signer's primitives: keccak-256 and recoverable secp256k1 ECDSA (RFC 6979 nonces, low-s),
 * chosen by measurement (`node bench/run.ts --only hyperliquid`, 2026-12-01, 2 × Xeon, node 24.21,
 * shared VM; p50 per signature: native 50 µs, WASM 159 µs, noble pure JS 637 µs):
 *
 * - `secp256k1` 5.x: libsecp256k1 through its shipped N-API prebuild (linux-x64, darwin-arm64,
 *   win32-x64; loaded by node-gyp-build without any install script);
 * - `tiny-secp256k1` 2.x: the same libsecp256k1 compiled to WASM, the fallback on platforms
 *   without a prebuild (about 4× slower here, still 3× faster than pure JS);
 * - keccak-256 from `hash-wasm` (WASM, about 7× faster than `@noble/hashes` on a 200-byte action).
 *
 * All three give byte-identical signatures (deterministic nonces), so the choice never changes a
 * signed request. The emulator's verifier uses none of this (it has `@noble/*` of its own).
 */
import { createRequire } from "node:module";
import { createKeccak } from "hash-wasm";

export interface RecoverableSig {
  /** r ‖ s, 64 bytes, s already normalised to the lower half */
  readonly compact: Uint8Array;
  /** 0 or 1 */
  readonly recid: number;
}

export interface SecpBackend {
  readonly name: string;
  sign(digest: Uint8Array, key: Uint8Array): RecoverableSig;
  /** uncompressed public key, 65 bytes (0x04 ‖ x ‖ y) */
  publicKey(key: Uint8Array): Uint8Array;
  isPrivateKey(key: Uint8Array): boolean;
  /** the uncompressed form (65 bytes) of a compressed public key (33 bytes) */
  decompress(publicKey: Uint8Array): Uint8Array;
}

interface NativeSecp {
  ecdsaSign(msg: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number };
  publicKeyCreate(key: Uint8Array, compressed?: boolean): Uint8Array;
  privateKeyVerify(key: Uint8Array): boolean;
  publicKeyConvert(pub: Uint8Array, compressed?: boolean): Uint8Array;
}

/** The native backend, or undefined where no prebuild loads. */
export function loadNativeBackend(): SecpBackend | undefined {
  try {
    const require = createRequire(import.meta.url);
    // `secp256k1/bindings` is the native build only (`secp256k1` itself silently falls back to
    // a pure-JS `elliptic`, which we do not want here).
    const lib = require("secp256k1/bindings") as NativeSecp;
    return {
      name: "secp256k1 (native)",
      sign: (digest, key) => {
        const r = lib.ecdsaSign(digest, key);
        return { compact: r.signature, recid: r.recid };
      },
      publicKey: (key) => lib.publicKeyCreate(key, false),
      isPrivateKey: (key) => key.length === 32 && lib.privateKeyVerify(key),
      decompress: (pub) => lib.publicKeyConvert(pub, false),
    };
  } catch {
    return undefined;
  }
}

export async function loadWasmBackend(): Promise<SecpBackend> {
  const lib = await import("tiny-secp256k1");
  return {
    name: "tiny-secp256k1 (wasm)",
    sign: (digest, key) => {
      const r = lib.signRecoverable(digest, key);
      return { compact: r.signature, recid: r.recoveryId };
    },
    publicKey: (key) => {
      const p = lib.pointFromScalar(key, false);
      if (!p) throw new RangeError("invalid private key");
      return p;
    },
    isPrivateKey: (key) => key.length === 32 && lib.isPrivate(key),
    decompress: (pub) => {
      const p = lib.pointCompress(pub, false);
      if (!p) throw new RangeError("invalid public key");
      return p;
    },
  };
}

/** The compressed form (33 bytes: 02/03 by the parity of y, then x) of a 65-byte public key. */
export function compressPublicKey(uncompressed: Uint8Array): Uint8Array {
  if (uncompressed.length !== 65 || uncompressed[0] !== 4)
    throw new RangeError("expected a 65-byte public key");
  const out = new Uint8Array(33);
  out[0] = (uncompressed[64] & 1) === 0 ? 2 : 3;
  out.set(uncompressed.subarray(1, 33), 1);
  return out;
}

/** The fastest backend that loads here. */
export const secp: SecpBackend = loadNativeBackend() ?? (await loadWasmBackend());

const hasher = await createKeccak(256);

/** keccak-256 of the concatenation of `parts` (the Ethereum hash, not SHA3-256). */
export function keccak256(...parts: Uint8Array[]): Uint8Array {
  hasher.init();
  for (const p of parts) hasher.update(p);
  return hasher.digest("binary");
}
