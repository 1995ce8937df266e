/**
 * Starknet typed data, revision 0 (SNIP-12 "legacy": Pedersen hashing, `StarkNetDomain`), the
 * form Paradex signs (no I/O). Rules from SNIP-12 (github.com/starknet-io/SNIPs SNIPS/snip-12.md,
 * "Revision 0"):
 *   typeHash(T)      = starknet_keccak("T(a:ta,b:tb)" + the referenced struct types, sorted)
 *   structHash(T, v) = pedersenArray(typeHash(T), enc(v.a), enc(v.b), …)
 *   messageHash      = pedersenArray("StarkNet Message", structHash(domain), account, structHash(msg))
 * where pedersenArray(x1..xn) = h(h(…h(h(0, x1), x2)…, xn), n) and felts are numbers (decimal or
 * 0x-hex) or short strings (≤ 31 ASCII characters, big-endian bytes). `felt*` arrays hash as
 * pedersenArray of their elements; struct members as their struct hash.
 */
import { keccak } from "@scure/starknet";
import { FeltError, FIELD_PRIME, shortStringFelt } from "../starknet/felt.ts";
import { hashOnElements } from "./pedersen.ts";

// the field helpers live in ../starknet/felt.ts (shared with Extended); re-exported for callers here
export { FIELD_PRIME, shortStringFelt };

export interface TypeMember {
  readonly name: string;
  readonly type: string;
}
export type Types = Readonly<Record<string, readonly TypeMember[]>>;
export type Value = string | number | bigint | readonly Value[] | { readonly [k: string]: Value };

export interface TypedData {
  readonly types: Types;
  readonly primaryType: string;
  readonly domain: { readonly [k: string]: Value };
  readonly message: { readonly [k: string]: Value };
}

export class TypedDataError extends FeltError {
  override name = "TypedDataError";
}

const DEC_RE = /^[0-9]+$/;
const HEX_RE = /^0x[0-9a-fA-F]+$/;

/** A felt from a number, a decimal or 0x-hex string, or else a short string. */
export function toFelt(v: Value, where: string): bigint {
  let n: bigint;
  if (typeof v === "bigint") n = v;
  else if (typeof v === "number") {
    if (!Number.isSafeInteger(v) || v < 0) throw new TypedDataError(`${where}: ${v} is not a felt`);
    n = BigInt(v);
  } else if (typeof v === "string") {
    n = DEC_RE.test(v) || HEX_RE.test(v) ? BigInt(v) : shortStringFelt(v, where);
  } else
    throw new TypedDataError(`${where}: expected a felt, got ${Array.isArray(v) ? "an array" : "an object"}`);
  if (n < 0n || n >= FIELD_PRIME) throw new TypedDataError(`${where}: ${n} is outside the Stark field`);
  return n;
}

function baseType(t: string): string {
  return t.endsWith("*") ? t.slice(0, -1) : t;
}

function dependencies(types: Types, primary: string, found: Set<string> = new Set()): Set<string> {
  if (found.has(primary) || types[primary] === undefined) return found;
  found.add(primary);
  for (const m of types[primary]!) dependencies(types, baseType(m.type), found);
  return found;
}

/** "Mail(from:Person,to:Person,contents:felt)Person(name:felt,wallet:felt)" */
export function encodeType(types: Types, primary: string): string {
  if (types[primary] === undefined) throw new TypedDataError(`typed data: no type ${primary}`);
  const deps = [...dependencies(types, primary)].filter((t) => t !== primary).sort();
  return [primary, ...deps]
    .map((t) => `${t}(${types[t]!.map((m) => `${m.name}:${m.type}`).join(",")})`)
    .join("");
}

const typeHashCache = new Map<string, bigint>();

export function typeHash(types: Types, primary: string): bigint {
  const text = encodeType(types, primary);
  let h = typeHashCache.get(text);
  if (h === undefined) {
    h = keccak(new TextEncoder().encode(text));
    typeHashCache.set(text, h);
  }
  return h;
}

function hashArray(values: bigint[]): bigint {
  return hashOnElements(values);
}

function encodeValue(types: Types, type: string, v: Value, where: string): bigint {
  if (types[type] !== undefined) {
    if (typeof v !== "object" || v === null || Array.isArray(v))
      throw new TypedDataError(`${where}: expected a ${type} object`);
    return structHash(types, type, v as { readonly [k: string]: Value }, where);
  }
  if (type.endsWith("*")) {
    if (!Array.isArray(v)) throw new TypedDataError(`${where}: expected an array of ${baseType(type)}`);
    return hashArray(v.map((x, i) => encodeValue(types, baseType(type), x, `${where}[${i}]`)));
  }
  if (type === "felt" || type === "string" || type === "shortstring") return toFelt(v, where);
  throw new TypedDataError(`${where}: unsupported type ${type}`);
}

export function structHash(
  types: Types,
  type: string,
  data: { readonly [k: string]: Value },
  where: string = type,
): bigint {
  const members = types[type];
  if (members === undefined) throw new TypedDataError(`typed data: no type ${type}`);
  const out = [typeHash(types, type)];
  for (const m of members) {
    const v = data[m.name];
    if (v === undefined) throw new TypedDataError(`${where}.${m.name}: missing`);
    out.push(encodeValue(types, m.type, v, `${where}.${m.name}`));
  }
  return hashArray(out);
}

const MESSAGE_PREFIX = shortStringFelt("StarkNet Message");

/** a venue signs under one domain: its hash (5 Pedersen hashes) is computed once per domain */
const domainHashCache = new Map<string, bigint>();

function domainHash(td: TypedData): bigint {
  const key = JSON.stringify([td.types.StarkNetDomain, td.domain]);
  let h = domainHashCache.get(key);
  if (h === undefined) {
    h = structHash(td.types, "StarkNetDomain", td.domain, "domain");
    if (domainHashCache.size < 64) domainHashCache.set(key, h);
  }
  return h;
}

/** The hash an account signs for `td` (SNIP-12 rev 0). */
export function messageHash(td: TypedData, account: bigint | string): bigint {
  const acc = typeof account === "bigint" ? account : toFelt(account, "account");
  return hashArray([
    MESSAGE_PREFIX,
    domainHash(td),
    acc,
    structHash(td.types, td.primaryType, td.message, "message"),
  ]);
}
