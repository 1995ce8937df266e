/**
 * The emulator's signature verifier. Written from the venue's documentation (HLd "Signing",
 * "Exchange endpoint"; VENUES.md §1.1, §1.9) and sharing NOTHING with the connector's signer
 * (`../signing.ts`, `../msgpack.ts`, `../secp.ts`): its own msgpack writer, its own EIP-712
 * hashing, and other libraries (`@noble/hashes` keccak, `@noble/curves` public-key recovery).
 *
 * Like the venue, it does not hash the JSON it was sent: it re-serialises the action in the
 * venue's own field order with canonical values (prices and sizes without trailing zeros, cloids
 * in lower case, unknown keys dropped), hashes that and recovers the signer. A client whose bytes
 * drift from the canonical form (`"4.3370"`, keys out of order) therefore recovers to some other
 * address, which the venue reports as `User or API Wallet 0x… does not exist.`
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { z } from "zod";
import { be, mp, type Value } from "./msgpack.ts";

// ---------------------------------------------------------------- request schema (boundary)

const hex = z.string().regex(/^0x[0-9a-fA-F]+$/);

export const SignatureSchema = z.object({ r: hex, s: hex, v: z.number().int() });

/** The body POSTed to `/exchange`. `null` is how the Python SDK sends an absent vault. */
export const ExchangeRequestSchema = z.object({
  action: z.record(z.string(), z.unknown()).and(z.object({ type: z.string() })),
  nonce: z.number().int().nonnegative(),
  signature: SignatureSchema,
  vaultAddress: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/)
    .nullish(),
  expiresAfter: z.number().int().nonnegative().nullish(),
});
export type ExchangeRequest = z.infer<typeof ExchangeRequestSchema>;

// ---------------------------------------------------------------- canonical actions

/** Thrown when a posted action cannot be read at all (the venue answers with a parse error). */
export class ActionShapeError extends Error {}

type Canon = (x: unknown, path: string) => Value;

function obj(x: unknown, path: string): Record<string, unknown> {
  if (typeof x !== "object" || x === null || Array.isArray(x))
    throw new ActionShapeError(`${path}: expected an object`);
  return x as Record<string, unknown>;
}

const keep: Canon = (x) => x as Value;

/** A decimal string as the venue re-writes it: no trailing zeros, no trailing point. */
const decimal: Canon = (x, path) => {
  if (typeof x !== "string" || !/^-?\d+(\.\d+)?$/.test(x))
    throw new ActionShapeError(`${path}: expected a decimal string`);
  let t = x.includes(".") ? x.replace(/0+$/, "").replace(/\.$/, "") : x;
  t = t.replace(/^(-?)0+(?=\d)/, "$1");
  return t === "-0" ? "0" : t;
};

const lower: Canon = (x, path) => {
  if (typeof x !== "string") throw new ActionShapeError(`${path}: expected a string`);
  return x.toLowerCase();
};

/** Fields in the venue's order; absent optional fields stay absent. */
function struct(fields: [string, Canon, boolean?][]): Canon {
  return (x, path) => {
    const o = obj(x, path);
    const out: { [k: string]: Value } = {};
    for (const [name, canon, optional] of fields) {
      if (o[name] === undefined || (optional && o[name] === null)) {
        if (optional) continue;
        throw new ActionShapeError(`${path}.${name}: missing`);
      }
      out[name] = canon(o[name], `${path}.${name}`);
    }
    return out;
  };
}

function list(item: Canon): Canon {
  return (x, path) => {
    if (!Array.isArray(x)) throw new ActionShapeError(`${path}: expected an array`);
    return x.map((e, i) => item(e, `${path}[${i}]`));
  };
}

const orderType: Canon = (x, path): Value => {
  const o = obj(x, path);
  if (o.limit !== undefined) return { limit: struct([["tif", keep]])(o.limit, `${path}.limit`) };
  if (o.trigger !== undefined) {
    return {
      trigger: struct([
        ["isMarket", keep],
        ["triggerPx", decimal],
        ["tpsl", keep],
      ])(o.trigger, `${path}.trigger`),
    };
  }
  throw new ActionShapeError(`${path}: expected limit or trigger`);
};

const orderWire = struct([
  ["a", keep],
  ["b", keep],
  ["p", decimal],
  ["s", decimal],
  ["r", keep],
  ["t", orderType],
  ["c", lower, true],
]);

const oidOrCloid: Canon = (x, path) => (typeof x === "string" ? lower(x, path) : keep(x, path));

/** The L1 action types the emulator knows, with the venue's field order. */
const L1_ACTIONS: Record<string, Canon> = {
  order: struct([
    ["type", keep],
    ["orders", list(orderWire)],
    ["grouping", keep],
    [
      "builder",
      struct([
        ["b", lower],
        ["f", keep],
      ]),
      true,
    ],
  ]),
  cancel: struct([
    ["type", keep],
    [
      "cancels",
      list(
        struct([
          ["a", keep],
          ["o", keep],
        ]),
      ),
    ],
  ]),
  cancelByCloid: struct([
    ["type", keep],
    [
      "cancels",
      list(
        struct([
          ["asset", keep],
          ["cloid", lower],
        ]),
      ),
    ],
  ]),
  modify: struct([
    ["type", keep],
    ["oid", oidOrCloid],
    ["order", orderWire],
  ]),
  batchModify: struct([
    ["type", keep],
    [
      "modifies",
      list(
        struct([
          ["oid", oidOrCloid],
          ["order", orderWire],
        ]),
      ),
    ],
  ]),
  updateLeverage: struct([
    ["type", keep],
    ["asset", keep],
    ["isCross", keep],
    ["leverage", keep],
  ]),
  updateIsolatedMargin: struct([
    ["type", keep],
    ["asset", keep],
    ["isBuy", keep],
    ["ntli", keep],
  ]),
  scheduleCancel: struct([
    ["type", keep],
    ["time", keep, true],
  ]),
  noop: struct([["type", keep]]),
  createSubAccount: struct([
    ["type", keep],
    ["name", keep],
  ]),
  subAccountTransfer: struct([
    ["type", keep],
    ["subAccountUser", lower],
    ["isDeposit", keep],
    ["usd", keep],
  ]),
};

/**
 * The bytes the venue hashes for an L1 action. `canonical: false` hashes the action as posted
 * (key order and values untouched), for checking a client's own hash.
 */
export function l1HashInput(req: ExchangeRequest, canonical = true): Uint8Array {
  const canon = L1_ACTIONS[req.action.type];
  const action = canonical && canon ? canon(req.action, "action") : (req.action as Value);
  const out: number[] = [];
  mp(action, out);
  out.push(...be(req.nonce, 8));
  if (req.vaultAddress == null) out.push(0);
  else out.push(1, ...Buffer.from(req.vaultAddress.slice(2), "hex"));
  if (req.expiresAfter != null) out.push(0, ...be(req.expiresAfter, 8));
  return Uint8Array.from(out);
}

// ---------------------------------------------------------------- EIP-712 (own)

const utf8 = (s: string) => new TextEncoder().encode(s);
const k = (...parts: Uint8Array[]) => keccak_256(Buffer.concat(parts));
const u256 = (n: number | bigint) => Uint8Array.from(be(n, 32));
const addr = (a: string) => Uint8Array.from([...new Array(12).fill(0), ...Buffer.from(a.slice(2), "hex")]);

function domain(name: string, chainId: number): Uint8Array {
  return k(
    k(utf8("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")),
    k(utf8(name)),
    k(utf8("1")),
    u256(chainId),
    addr(`0x${"00".repeat(20)}`),
  );
}

function typed(domainHash: Uint8Array, structHash: Uint8Array): Uint8Array {
  return k(Uint8Array.of(0x19, 0x01), domainHash, structHash);
}

export function l1SigningHash(req: ExchangeRequest, mainnet: boolean, canonical = true): Uint8Array {
  const connectionId = keccak_256(l1HashInput(req, canonical));
  const struct = k(
    k(utf8("Agent(string source,bytes32 connectionId)")),
    k(utf8(mainnet ? "a" : "b")),
    connectionId,
  );
  return typed(domain("Exchange", 1337), struct);
}

/** User-signed action types: EIP-712 type name and fields (HLd "Signing"; the Python SDK's lists). */
export const USER_SIGNED: Record<string, { name: string; fields: [string, string][] }> = {
  approveAgent: {
    name: "ApproveAgent",
    fields: [
      ["hyperliquidChain", "string"],
      ["agentAddress", "address"],
      ["agentName", "string"],
      ["nonce", "uint64"],
    ],
  },
  usdSend: {
    name: "UsdSend",
    fields: [
      ["hyperliquidChain", "string"],
      ["destination", "string"],
      ["amount", "string"],
      ["time", "uint64"],
    ],
  },
  withdraw3: {
    name: "Withdraw",
    fields: [
      ["hyperliquidChain", "string"],
      ["destination", "string"],
      ["amount", "string"],
      ["time", "uint64"],
    ],
  },
  approveBuilderFee: {
    name: "ApproveBuilderFee",
    fields: [
      ["hyperliquidChain", "string"],
      ["maxFeeRate", "string"],
      ["builder", "address"],
      ["nonce", "uint64"],
    ],
  },
};

export function userSignedHash(action: Record<string, unknown>): Uint8Array {
  const spec = USER_SIGNED[String(action.type)];
  if (!spec) throw new ActionShapeError(`action.type: ${String(action.type)} is not a user-signed action`);
  const chainId = action.signatureChainId;
  if (typeof chainId !== "string" || !/^0x[0-9a-fA-F]+$/.test(chainId)) {
    throw new ActionShapeError("action.signatureChainId: expected a hex chain id");
  }
  const typeName = `HyperliquidTransaction:${spec.name}`;
  const typeString = `${typeName}(${spec.fields.map(([n, t]) => `${t} ${n}`).join(",")})`;
  const encoded = spec.fields.map(([n, t]) => {
    const v = action[n] ?? (n === "agentName" ? "" : undefined);
    if (t === "string" && typeof v === "string") return k(utf8(v));
    if (t === "address" && typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v)) return addr(v);
    if (t === "uint64" && typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return u256(v);
    throw new ActionShapeError(`action.${n}: expected ${t}`);
  });
  return typed(
    domain("HyperliquidSignTransaction", Number(BigInt(chainId))),
    k(k(utf8(typeString)), ...encoded),
  );
}

// ---------------------------------------------------------------- recovery

/** The lower-case address whose key made `signature` over `hash`, or undefined if none does. */
export function recoverAddress(
  hash: Uint8Array,
  signature: z.infer<typeof SignatureSchema>,
): string | undefined {
  const recovery = signature.v >= 27 ? signature.v - 27 : signature.v;
  if (recovery !== 0 && recovery !== 1) return undefined;
  try {
    const sig = new secp256k1.Signature(BigInt(signature.r), BigInt(signature.s), recovery);
    const pub = sig.recoverPublicKey(hash).toBytes(false);
    return `0x${Buffer.from(keccak_256(pub.subarray(1)).subarray(12)).toString("hex")}`;
  } catch {
    return undefined;
  }
}

export type Recovered =
  | { readonly kind: "l1"; readonly signer: string | undefined }
  | { readonly kind: "userSigned"; readonly signer: string | undefined; readonly hyperliquidChain: unknown };

/**
 * Recover who signed a posted `/exchange` request: an L1 action on this emulator's chain
 * (`mainnet` picks the phantom agent's source), or a user-signed action (its own chain field,
 * which the caller checks against the emulator's).
 */
export function recoverSigner(body: unknown, mainnet: boolean, canonical = true): Recovered {
  const req = ExchangeRequestSchema.parse(body);
  if (USER_SIGNED[req.action.type]) {
    const hash = userSignedHash(req.action);
    return {
      kind: "userSigned",
      signer: recoverAddress(hash, req.signature),
      hyperliquidChain: req.action.hyperliquidChain,
    };
  }
  return { kind: "l1", signer: recoverAddress(l1SigningHash(req, mainnet, canonical), req.signature) };
}
