/**
 * Hyperliquid request signing (no I/O). Two schemes (Python SDK
 * hyperliquid-dex/hyperliquid-python-sdk `hyperliquid/utils/signing.py`; VENUES.md §1.1):
 *
 * L1 actions (order, cancel, modify, leverage, scheduleCancel, noop, sub-accounts …):
 *   connectionId = keccak256(msgpack(action) ‖ u64be(nonce) ‖ (vault ? 0x01 ‖ addr20 : 0x00)
 *                            ‖ (expiresAfter ? 0x00 ‖ u64be(expiresAfter) : ∅))
 *   then EIP-712 over the "phantom agent" Agent{source: "a" mainnet | "b" testnet, connectionId}
 *   in the domain {name "Exchange", version "1", chainId 1337, verifyingContract 0x0}.
 *
 * User-signed actions (approveAgent, usdSend, withdraw3, approveBuilderFee): EIP-712 of the
 *   action's typed fields as `HyperliquidTransaction:<Name>` in the domain
 *   {name "HyperliquidSignTransaction", version "1", chainId = signatureChainId, verifyingContract 0x0}.
 *
 * Signatures are `{r, s, v}`: r and s 32-byte hex, s in the lower half (libsecp256k1 normalises),
 * v = 27 + recovery id, as eth_account and the venue produce.
 */
import { ByteWriter, type Packable, packInto } from "./msgpack.ts";
import { keccak256, type SecpBackend, secp } from "./secp.ts";

export type Hex = `0x${string}`;

export interface HlSignature {
  readonly r: Hex;
  readonly s: Hex;
  readonly v: 27 | 28;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function toHex(bytes: Uint8Array): Hex {
  let out = "0x";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out as Hex;
}

export function fromHex(hex: string, bytes?: number): Uint8Array {
  const h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new RangeError("not a hex string");
  if (bytes !== undefined && h.length !== bytes * 2) throw new RangeError(`expected ${bytes} bytes of hex`);
  return Uint8Array.from(Buffer.from(h, "hex"));
}

const ASCII = new TextEncoder();

/**
 * A signing key bound to its address. The key never leaves the object: it is not enumerable,
 * not in `toJSON`, not in `util.inspect` output; only `address` is public.
 */
export class HlSigner {
  readonly #key: Uint8Array;
  readonly #backend: SecpBackend;
  /** lower-case 0x address of the key */
  readonly address: Hex;

  constructor(key: Uint8Array, backend: SecpBackend = secp) {
    if (!backend.isPrivateKey(key)) throw new RangeError("not a valid secp256k1 private key");
    this.#key = Uint8Array.from(key);
    this.#backend = backend;
    this.address = addressOfPublicKey(backend.publicKey(this.#key));
  }

  /** Sign a 32-byte digest. */
  signDigest(digest: Uint8Array): HlSignature {
    const sig = this.#backend.sign(digest, this.#key);
    if (sig.recid > 1) throw new RangeError("unexpected recovery id (r overflow)");
    return {
      r: toHex(sig.compact.subarray(0, 32)),
      s: toHex(sig.compact.subarray(32, 64)),
      v: sig.recid === 0 ? 27 : 28,
    };
  }

  toJSON(): { address: Hex } {
    return { address: this.address };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `HlSigner(${this.address})`;
  }
}

export function addressOfPublicKey(uncompressed: Uint8Array): Hex {
  if (uncompressed.length !== 65 || uncompressed[0] !== 4)
    throw new RangeError("expected a 65-byte public key");
  return toHex(keccak256(uncompressed.subarray(1)).subarray(12));
}

// ---------------------------------------------------------------- EIP-712 primitives

const ZERO_ADDRESS = new Uint8Array(20);
const EIP712_DOMAIN_TYPE = keccak256(
  ASCII.encode("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
);

function word(n: number | bigint): Uint8Array {
  const out = new Uint8Array(32);
  let v = BigInt(n);
  if (v < 0n || v >= 2n ** 256n) throw new RangeError(`uint ${n} out of range`);
  for (let i = 31; i >= 0 && v > 0n; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function addressWord(address: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  out.set(address, 12);
  return out;
}

export function domainSeparator(name: string, version: string, chainId: number): Uint8Array {
  return keccak256(
    EIP712_DOMAIN_TYPE,
    keccak256(ASCII.encode(name)),
    keccak256(ASCII.encode(version)),
    word(chainId),
    addressWord(ZERO_ADDRESS),
  );
}

const PREFIX_1901 = Uint8Array.of(0x19, 0x01);

function typedDigest(domain: Uint8Array, structHash: Uint8Array): Uint8Array {
  return keccak256(PREFIX_1901, domain, structHash);
}

// ---------------------------------------------------------------- L1 actions

const EXCHANGE_DOMAIN = domainSeparator("Exchange", "1", 1337);
const AGENT_TYPE = keccak256(ASCII.encode("Agent(string source,bytes32 connectionId)"));
const SOURCE_MAINNET = keccak256(ASCII.encode("a"));
const SOURCE_TESTNET = keccak256(ASCII.encode("b"));

/** One reused buffer: the hash input is built in place, then hashed. */
const l1Writer = new ByteWriter(1024);

export interface L1Options {
  readonly nonce: number;
  readonly mainnet: boolean;
  /** vault or sub-account the action is for (the `vaultAddress` of the request body) */
  readonly vaultAddress?: string;
  /** ms timestamp after which the venue refuses the action */
  readonly expiresAfter?: number;
}

/** keccak256(msgpack(action) ‖ nonce ‖ vault ‖ expiresAfter): the phantom agent's connectionId. */
export function l1ActionHash(
  action: Packable,
  nonce: number,
  vaultAddress?: string,
  expiresAfter?: number,
): Uint8Array {
  const w = l1Writer;
  w.reset();
  packInto(w, action);
  w.u64raw(nonce);
  if (vaultAddress === undefined) w.u8(0);
  else {
    w.u8(1);
    w.raw(fromHex(vaultAddress, 20));
  }
  if (expiresAfter !== undefined) {
    w.u8(0);
    w.u64raw(expiresAfter);
  }
  return keccak256(w.bytes());
}

/** The EIP-712 digest the L1 signature is over. */
export function l1Digest(connectionId: Uint8Array, mainnet: boolean): Uint8Array {
  const struct = keccak256(AGENT_TYPE, mainnet ? SOURCE_MAINNET : SOURCE_TESTNET, connectionId);
  return typedDigest(EXCHANGE_DOMAIN, struct);
}

export function signL1Action(signer: HlSigner, action: Packable, opts: L1Options): HlSignature {
  const id = l1ActionHash(action, opts.nonce, opts.vaultAddress, opts.expiresAfter);
  return signer.signDigest(l1Digest(id, opts.mainnet));
}

/** The JSON body POSTed to `/exchange`, keys in the order the SDKs send them. */
export function exchangeBody(
  action: Packable,
  nonce: number,
  signature: HlSignature,
  vaultAddress?: string,
  expiresAfter?: number,
): string {
  const body: Record<string, unknown> = { action, nonce, signature };
  if (vaultAddress !== undefined) body.vaultAddress = vaultAddress;
  if (expiresAfter !== undefined) body.expiresAfter = expiresAfter;
  return JSON.stringify(body);
}

// ---------------------------------------------------------------- user-signed actions

export type FieldType = "string" | "address" | "bool" | "uint64" | "bytes32";

export interface TypedField {
  readonly name: string;
  readonly type: FieldType;
}

/** EIP-712 field lists, from the Python SDK (`USD_SEND_SIGN_TYPES`, `sign_agent`, …). */
export const USER_SIGNED_TYPES = {
  approveAgent: {
    primaryType: "HyperliquidTransaction:ApproveAgent",
    fields: [
      { name: "hyperliquidChain", type: "string" },
      { name: "agentAddress", type: "address" },
      { name: "agentName", type: "string" },
      { name: "nonce", type: "uint64" },
    ],
  },
  usdSend: {
    primaryType: "HyperliquidTransaction:UsdSend",
    fields: [
      { name: "hyperliquidChain", type: "string" },
      { name: "destination", type: "string" },
      { name: "amount", type: "string" },
      { name: "time", type: "uint64" },
    ],
  },
  withdraw3: {
    primaryType: "HyperliquidTransaction:Withdraw",
    fields: [
      { name: "hyperliquidChain", type: "string" },
      { name: "destination", type: "string" },
      { name: "amount", type: "string" },
      { name: "time", type: "uint64" },
    ],
  },
  approveBuilderFee: {
    primaryType: "HyperliquidTransaction:ApproveBuilderFee",
    fields: [
      { name: "hyperliquidChain", type: "string" },
      { name: "maxFeeRate", type: "string" },
      { name: "builder", type: "address" },
      { name: "nonce", type: "uint64" },
    ],
  },
} as const satisfies Record<string, { primaryType: string; fields: readonly TypedField[] }>;

export type UserSignedKind = keyof typeof USER_SIGNED_TYPES;

function encodeField(type: FieldType, value: unknown, name: string): Uint8Array {
  switch (type) {
    case "string":
      if (typeof value !== "string") throw new TypeError(`${name}: expected a string`);
      return keccak256(ASCII.encode(value));
    case "address":
      if (typeof value !== "string") throw new TypeError(`${name}: expected an address`);
      return addressWord(fromHex(value, 20));
    case "bool":
      if (typeof value !== "boolean") throw new TypeError(`${name}: expected a boolean`);
      return word(value ? 1 : 0);
    case "uint64":
      if (typeof value !== "number" && typeof value !== "bigint")
        throw new TypeError(`${name}: expected an integer`);
      if (BigInt(value) >= 2n ** 64n) throw new RangeError(`${name}: does not fit in uint64`);
      return word(value);
    case "bytes32":
      if (typeof value === "string") return fromHex(value, 32);
      if (value instanceof Uint8Array && value.length === 32) return value;
      throw new TypeError(`${name}: expected 32 bytes`);
  }
}

/** The EIP-712 digest of a user-signed action (the action carries signatureChainId). */
export function userSignedDigest(kind: UserSignedKind, action: Record<string, unknown>): Uint8Array {
  const spec = USER_SIGNED_TYPES[kind];
  const fields = spec.fields as readonly TypedField[];
  const typeString = `${spec.primaryType}(${fields.map((f) => `${f.type} ${f.name}`).join(",")})`;
  const chain = action.signatureChainId;
  if (typeof chain !== "string" || !/^0x[0-9a-fA-F]+$/.test(chain)) {
    throw new TypeError("signatureChainId: expected a 0x hex chain id");
  }
  const parts = fields.map((f) => encodeField(f.type, action[f.name], f.name));
  const struct = keccak256(keccak256(ASCII.encode(typeString)), ...parts);
  const domain = domainSeparator("HyperliquidSignTransaction", "1", Number.parseInt(chain, 16));
  return typedDigest(domain, struct);
}

export function signUserSignedAction(
  signer: HlSigner,
  kind: UserSignedKind,
  action: Record<string, unknown>,
): HlSignature {
  return signer.signDigest(userSignedDigest(kind, action));
}

/** The Python SDK's default; any chain id is accepted by the venue. */
export const DEFAULT_SIGNATURE_CHAIN_ID = "0x66eee";

/**
 * An `approveAgent` action and its signature, as the master key signs it. With no name the EIP-712
 * message signs `agentName: ""` and the posted action omits the key (the Python SDK's
 * `approve_agent`). The request body's nonce is `nonce`.
 */
export function signApproveAgent(
  master: HlSigner,
  args: {
    agentAddress: string;
    agentName?: string;
    nonce: number;
    mainnet: boolean;
    signatureChainId?: string;
  },
): { action: Record<string, unknown>; signature: HlSignature } {
  const action: Record<string, unknown> = {
    type: "approveAgent",
    signatureChainId: args.signatureChainId ?? DEFAULT_SIGNATURE_CHAIN_ID,
    hyperliquidChain: args.mainnet ? "Mainnet" : "Testnet",
    agentAddress: args.agentAddress.toLowerCase(),
    agentName: args.agentName ?? "",
    nonce: args.nonce,
  };
  const signature = signUserSignedAction(master, "approveAgent", action);
  if (args.agentName === undefined) delete action.agentName;
  return { action, signature };
}
