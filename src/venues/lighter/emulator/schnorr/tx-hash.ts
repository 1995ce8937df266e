import { z } from "zod";
import { type Fp5, fp5FromBytesLE, fpFromInt64 } from "./field.ts";
import { hashToQuinticExtension } from "./poseidon2.ts";

/**
 * The message Lighter signs for each L2 transaction, from the JSON `txInfo` its signer emits
 * (`elliottech/lighter-go` `types/txtypes/<tx>.go` `Hash()`, `tx_attributes.go`): the Goldilocks
 * elements [chainId, txType, Nonce, ExpiredAt, account, ApiKeyIndex, …tx fields] hashed with
 * Poseidon2 to an Fp5 value; when the tx carries non-nil attributes that hash is combined with
 * the attributes' hash. Integers become field elements as Go's `GoldilocksField(int64)` does
 * (two's complement u64, reduced mod p). Own implementation.
 */

export const MAINNET_CHAIN_ID = 304;
export const TESTNET_CHAIN_ID = 300;

/** Go's integer type of a field (its JSON range), or a 40-byte key; `split` fields hash as two 32-bit halves. */
type GoInt = "int64" | "uint64" | "int16" | "uint8" | "uint16" | "uint32";
type FieldKind = GoInt | `split:${GoInt}` | "pubkey";
interface TxSpec {
  readonly name: string;
  /** Field holding the account (withdraw names it FromAccountIndex). */
  readonly account: string;
  /** The tx-specific fields after ApiKeyIndex, in hash order, with their Go types. */
  readonly fields: readonly (readonly [string, FieldKind])[];
}

/** Per tx type (lighter-go `constants.go`), the fields its `Hash()` appends, in order. */
export const TX_SPECS: Readonly<Record<number, TxSpec>> = {
  8: { name: "ChangePubKey", account: "AccountIndex", fields: [["PubKey", "pubkey"]] },
  13: {
    name: "Withdraw",
    account: "FromAccountIndex",
    fields: [
      ["AssetIndex", "int16"],
      ["RouteType", "uint8"],
      ["Amount", "split:uint64"],
    ],
  },
  14: {
    name: "CreateOrder",
    account: "AccountIndex",
    fields: [
      ["MarketIndex", "int16"],
      ["ClientOrderIndex", "int64"],
      ["BaseAmount", "int64"],
      ["Price", "uint32"],
      ["IsAsk", "uint8"],
      ["Type", "uint8"],
      ["TimeInForce", "uint8"],
      ["ReduceOnly", "uint8"],
      ["TriggerPrice", "uint32"],
      ["OrderExpiry", "int64"],
    ],
  },
  15: {
    name: "CancelOrder",
    account: "AccountIndex",
    fields: [
      ["MarketIndex", "int16"],
      ["Index", "int64"],
    ],
  },
  16: {
    name: "CancelAllOrders",
    account: "AccountIndex",
    fields: [
      ["TimeInForce", "uint8"],
      ["Time", "int64"],
    ],
  },
  17: {
    name: "ModifyOrder",
    account: "AccountIndex",
    fields: [
      ["MarketIndex", "int16"],
      ["Index", "int64"],
      ["BaseAmount", "int64"],
      ["Price", "uint32"],
      ["TriggerPrice", "uint32"],
    ],
  },
  20: {
    name: "UpdateLeverage",
    account: "AccountIndex",
    fields: [
      ["MarketIndex", "int16"],
      ["InitialMarginFraction", "uint16"],
      ["MarginMode", "uint8"],
    ],
  },
  29: {
    name: "UpdateMargin",
    account: "AccountIndex",
    fields: [
      ["MarketIndex", "int16"],
      ["USDCAmount", "split:int64"],
      ["Direction", "uint8"],
    ],
  },
};

const RANGES: Readonly<Record<GoInt, readonly [bigint, bigint]>> = {
  int64: [-(1n << 63n), (1n << 63n) - 1n],
  uint64: [0n, (1n << 64n) - 1n],
  int16: [-(1n << 15n), (1n << 15n) - 1n],
  uint8: [0n, 255n],
  uint16: [0n, 65535n],
  uint32: [0n, (1n << 32n) - 1n],
};

/** An integer as JSON carries it (a safe-integer number, a decimal string, or a bigint) within a Go type's range. */
function goInt(type: GoInt) {
  const [min, max] = RANGES[type];
  return z
    .union([
      z.number().refine(Number.isSafeInteger, "expected a safe integer (beyond 2^53 send a decimal string)"),
      z.string().regex(/^-?\d+$/, "expected a decimal integer"),
      z.bigint(),
    ])
    .transform((v) => BigInt(v))
    .refine((v) => v >= min && v <= max, `outside the ${type} range ${min}…${max}`);
}

const base64Bytes = (length: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64")
    .transform((s) => new Uint8Array(Buffer.from(s, "base64")))
    .refine((b) => b.length === length, `expected ${length} bytes`);

/**
 * Attributes (`tx_attributes.go`): type → value, as Go marshals the embedded map
 * (`"L2TxAttributes": {"4": 1}`, or null). Nil value per type; at most 4 per tx.
 */
const ATTRIBUTE_NIL: Readonly<Record<number, bigint>> = { 1: 0n, 2: 0n, 3: 0n, 4: 0n, 5: 255n, 6: 0n, 7: 0n };
const ATTRIBUTES_PER_TX = 4;
const attributes = z.record(z.string().regex(/^[1-7]$/, "attribute type 1…7"), goInt("int64")).nullish();

export interface ParsedTx {
  readonly spec: TxSpec;
  readonly elements: bigint[];
  readonly attributes: ReadonlyMap<number, bigint>;
  readonly sig: Uint8Array;
}

function schemaFor(spec: TxSpec) {
  const shape: Record<string, z.ZodType> = {
    [spec.account]: goInt("int64"),
    ApiKeyIndex: goInt("uint8"),
    ExpiredAt: goInt("int64"),
    Nonce: goInt("int64"),
    Sig: base64Bytes(80),
    L2TxAttributes: attributes,
  };
  for (const [field, kind] of spec.fields)
    shape[field] = kind === "pubkey" ? base64Bytes(40) : goInt(kind.replace("split:", "") as GoInt);
  return z.object(shape);
}

const schemas = new Map<number, ReturnType<typeof schemaFor>>();

/** Reads the fields the hash needs; a string naming the first bad field (and why) when it cannot. */
export function parseTxInfo(txType: number, txInfo: Record<string, unknown>): ParsedTx | string {
  const spec = TX_SPECS[txType];
  if (spec === undefined) return `unknown tx type ${txType}`;
  let schema = schemas.get(txType);
  if (schema === undefined) {
    schema = schemaFor(spec);
    schemas.set(txType, schema);
  }
  const r = schema.safeParse(txInfo);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return `bad txInfo for ${spec.name}: ${issue.path.join(".") || "(root)"}: ${issue.message}`;
  }
  const v = r.data as Record<string, unknown>;
  const elements: bigint[] = [
    v.Nonce as bigint,
    v.ExpiredAt as bigint,
    v[spec.account] as bigint,
    v.ApiKeyIndex as bigint,
  ];
  for (const [field, kind] of spec.fields) {
    const x = v[field];
    if (kind === "pubkey") elements.push(...fp5FromBytesLE(x as Uint8Array));
    else if (kind.startsWith("split:")) {
      // Go: x & 0xFFFFFFFF, then x >> 32 (arithmetic for int64, so a negative amount's high half is negative)
      const n = x as bigint;
      elements.push(n & 0xffffffffn, n >> 32n);
    } else elements.push(x as bigint);
  }
  const attrs = new Map<number, bigint>();
  for (const [k, val] of Object.entries(
    (v.L2TxAttributes as Record<string, bigint> | null | undefined) ?? {},
  )) {
    const type = Number(k);
    if (val !== ATTRIBUTE_NIL[type]) attrs.set(type, val);
  }
  if (attrs.size > ATTRIBUTES_PER_TX)
    return `bad txInfo for ${spec.name}: L2TxAttributes: more than ${ATTRIBUTES_PER_TX}`;
  return { spec, elements: elements.map(fpFromInt64), attributes: attrs, sig: v.Sig as Uint8Array };
}

/** The signed message hash of a parsed tx. */
export function txMessageHash(chainId: number, txType: number, tx: ParsedTx): Fp5 {
  const base = hashToQuinticExtension([BigInt(chainId), BigInt(txType), ...tx.elements]);
  if (tx.attributes.size === 0) return base;
  const pairs: bigint[] = [];
  const types = [...tx.attributes.keys()].sort((a, b) => a - b);
  for (let i = 0; i < ATTRIBUTES_PER_TX; i++) {
    const t = types[i];
    pairs.push(t === undefined ? 0n : BigInt(t), t === undefined ? 0n : fpFromInt64(tx.attributes.get(t)!));
  }
  return hashToQuinticExtension([...base, ...hashToQuinticExtension(pairs)]);
}

/**
 * The auth-token message (lighter-go `types/tx_request.go` `ConstructAuthToken`): the ASCII text
 * "{deadline}:{accountIndex}:{apiKeyIndex}" cut into 8-byte little-endian limbs (the last one
 * zero-padded), hashed to Fp5.
 */
export function authTokenMessageHash(message: string): Fp5 {
  const bytes = new TextEncoder().encode(message);
  const limbs: bigint[] = [];
  for (let i = 0; i < bytes.length; i += 8) {
    let v = 0n;
    for (let j = Math.min(i + 8, bytes.length) - 1; j >= i; j--) v = (v << 8n) | BigInt(bytes[j]!);
    limbs.push(v);
  }
  return hashToQuinticExtension(limbs);
}
