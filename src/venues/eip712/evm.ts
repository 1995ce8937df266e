/**
 * EVM helpers around an `AccountSigner` of scheme secp256k1: the account's address (the last 20
 * bytes of keccak256 of the uncompressed public key, Ethereum yellow paper §7) and the
 * `{r, s, v}` form of a signature over a 32-byte digest, v = 27 + recovery id.
 */
import type { AccountSigner } from "../../core/venue-account.ts";
import { keccak256, secp } from "../../wallets/secp256k1.ts";

/** The lowercase 0x address of a secp256k1 signer. */
export function evmAddress(signer: AccountSigner): string {
  const pub = secp.decompress(Buffer.from(signer.publicKey, "hex"));
  return `0x${Buffer.from(keccak256(pub.subarray(1)).subarray(12)).toString("hex")}`;
}

export interface EvmSignature {
  /** 0x + 64 hex digits */
  readonly r: string;
  readonly s: string;
  /** 27 or 28 */
  readonly v: number;
}

/** Sign a digest; `who` names the caller in the error when the signer is not secp256k1. */
export async function signDigest(
  signer: AccountSigner,
  digest: Uint8Array,
  who: string,
): Promise<EvmSignature> {
  if (signer.scheme !== "secp256k1")
    throw new TypeError(`${who}: EIP-712 messages are signed by a secp256k1 wallet, not ${signer.scheme}`);
  const sig = await signer.sign(digest);
  const h = Buffer.from(sig).toString("hex");
  return { r: `0x${h.slice(0, 64)}`, s: `0x${h.slice(64, 128)}`, v: 27 + sig[64] };
}
