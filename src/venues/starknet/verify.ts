/**
 * Emulator-side Stark signature check (shared by the Starknet venues' emulators, used by no
 * connector): @scure/starknet's ECDSA verify against a Stark key, which is the x coordinate only,
 * so either y is accepted as StarkWare's verifier does.
 */
import { Signature, verify } from "@scure/starknet";

const PRIME = (1n << 251n) + 17n * (1n << 192n) + 1n;

export function verifyStarkKeySignature(r: bigint, s: bigint, hash: bigint, publicKeyHex: string): boolean {
  try {
    if (r <= 0n || s <= 0n || r >= PRIME || s >= PRIME) return false;
    const x = publicKeyHex.replace(/^0x/, "").padStart(64, "0");
    const sig = new Signature(r, s);
    const msg = `0x${hash.toString(16)}`;
    return verify(sig, msg, `02${x}`) || verify(sig, msg, `03${x}`);
  } catch {
    return false;
  }
}
