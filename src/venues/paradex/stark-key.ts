/**
 * How Paradex derives an account's Stark key from its Ethereum wallet (tradeparadex/paradex-py
 * `paradex_py/message/stark_key.py` builds the message, `account/utils.py` grinds the key): the
 * wallet signs the EIP-712 typed data `Constant{action:"STARK Key"}` under the domain
 * `EIP712Domain{name:"Paradex", version:"1", chainId: <l1_chain_id>}`, and the Stark private key
 * is StarkWare's `grind_key` of the signature's r. perpbot does not onboard accounts; this is
 * here so a user can derive (and tests can check) the key from a wallet key, no network involved.
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { ethSigToPrivate, getStarkKey } from "@scure/starknet";

const enc = (s: string) => new TextEncoder().encode(s);
const word = (n: bigint) => Buffer.from(n.toString(16).padStart(64, "0"), "hex");

/** The EIP-712 digest the wallet signs (EIP-712: keccak(0x1901 ‖ domainSeparator ‖ hashStruct)). */
export function starkKeyMessageDigest(l1ChainId: bigint): Uint8Array {
  const domainType = keccak_256(enc("EIP712Domain(string name,string version,uint256 chainId)"));
  const domain = keccak_256(
    Buffer.concat([domainType, keccak_256(enc("Paradex")), keccak_256(enc("1")), word(l1ChainId)]),
  );
  const constantType = keccak_256(enc("Constant(string action)"));
  const struct = keccak_256(Buffer.concat([constantType, keccak_256(enc("STARK Key"))]));
  return keccak_256(Buffer.concat([Buffer.from([0x19, 0x01]), domain, struct]));
}

/** The Stark key pair Paradex derives for an Ethereum private key on an L1 chain. */
export function starkKeyFromEthKey(
  ethPrivateKey: Uint8Array,
  l1ChainId: bigint,
): { readonly privateKey: string; readonly publicKey: string } {
  const sig = secp256k1.sign(starkKeyMessageDigest(l1ChainId), ethPrivateKey, { prehash: false });
  const rs = Buffer.from(sig).toString("hex").slice(0, 128);
  // r ‖ s ‖ v as the wallet returns it; only r seeds grind_key
  const privateKey = `0x${ethSigToPrivate(`0x${rs}1b`).replace(/^0x/, "")}`;
  return { privateKey, publicKey: getStarkKey(privateKey) };
}
