/**
 * A generic EIP-712 encoder (https://eips.ethereum.org/EIPS/eip-712, "Specification"): the
 * `encodeType` string, `typeHash`, `encodeData`/`hashStruct`, the domain separator and the final
 * digest `keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(message))`. No I/O, no key: the
 * caller signs the digest with its own `AccountSigner`.
 *
 * Shared by the venues that sign typed structs (GRVT and EdgeX orders, Aster V3). Supported
 * member types: `uint8…uint256`, `int8…int256` (two's complement), `bool`, `address`,
 * `bytes1…bytes32`, dynamic `bytes` and `string` (hashed), struct types named in `types`, and
 * arrays `T[]` of any of these (the keccak of the concatenated encodings). Values are checked
 * against their type's range: a value that does not fit throws a RangeError naming the path.
 */
import { keccak256 } from "../../wallets/secp256k1.ts";

export interface TypedField {
  readonly name: string;
  readonly type: string;
}
export type TypedTypes = Readonly<Record<string, readonly TypedField[]>>;
export type TypedValue = string | number | bigint | boolean | TypedStruct | readonly TypedValue[];
export interface TypedStruct {
  readonly [k: string]: TypedValue | undefined;
}

/** The EIP712Domain members in the order the spec lists them; absent ones are left out. */
export interface Eip712Domain {
  readonly name?: string;
  readonly version?: string;
  readonly chainId?: number | bigint;
  readonly verifyingContract?: string;
  readonly salt?: string;
}

const UTF8 = new TextEncoder();
const DOMAIN_FIELDS: readonly TypedField[] = [
  { name: "name", type: "string" },
  { name: "version", type: "string" },
  { name: "chainId", type: "uint256" },
  { name: "verifyingContract", type: "address" },
  { name: "salt", type: "bytes32" },
];

function baseType(type: string): string {
  return type.endsWith("[]") ? baseType(type.slice(0, -2)) : type;
}

/** The struct types `primary` references, itself first, the rest sorted by name (spec). */
function dependencies(primary: string, types: TypedTypes, found: Set<string> = new Set()): Set<string> {
  if (found.has(primary) || types[primary] === undefined) return found;
  found.add(primary);
  for (const f of types[primary]) dependencies(baseType(f.type), types, found);
  return found;
}

/** `Mail(Person from,Person to,string contents)Person(string name,address wallet)`. */
export function encodeType(primary: string, types: TypedTypes): string {
  if (types[primary] === undefined) throw new TypeError(`eip712: unknown struct type ${primary}`);
  const deps = [...dependencies(primary, types)].filter((t) => t !== primary).sort();
  return [primary, ...deps]
    .map((t) => `${t}(${(types[t] ?? []).map((f) => `${f.type} ${f.name}`).join(",")})`)
    .join("");
}

const typeHashes = new WeakMap<TypedTypes, Map<string, Uint8Array>>();

export function typeHash(primary: string, types: TypedTypes): Uint8Array {
  let cache = typeHashes.get(types);
  if (cache === undefined) {
    cache = new Map();
    typeHashes.set(types, cache);
  }
  let h = cache.get(primary);
  if (h === undefined) {
    h = keccak256(UTF8.encode(encodeType(primary, types)));
    cache.set(primary, h);
  }
  return h;
}

function toBigInt(v: TypedValue, path: string): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new RangeError(`eip712: ${path}: ${v} is not a safe integer`);
    return BigInt(v);
  }
  if (typeof v === "string" && /^-?(0x[0-9a-fA-F]+|\d+)$/.test(v)) {
    return v.startsWith("-") ? -BigInt(v.slice(1)) : BigInt(v);
  }
  throw new TypeError(`eip712: ${path}: expected an integer, got ${JSON.stringify(v)}`);
}

function word(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let x = n;
  for (let i = 31; i >= 0 && x > 0n; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

function hexBytes(v: TypedValue, path: string): Uint8Array {
  if (typeof v !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(v))
    throw new TypeError(`eip712: ${path}: expected 0x-prefixed hex bytes`);
  return Uint8Array.from(Buffer.from(v.slice(2), "hex"));
}

function encodeAtom(type: string, v: TypedValue, path: string): Uint8Array {
  const int = /^(u?)int(\d*)$/.exec(type);
  if (int) {
    const bits = BigInt(int[2] === "" ? 256 : Number(int[2]));
    const n = toBigInt(v, path);
    if (int[1] === "u") {
      if (n < 0n || n >= 1n << bits) throw new RangeError(`eip712: ${path}: ${n} does not fit ${type}`);
      return word(n);
    }
    const half = 1n << (bits - 1n);
    if (n < -half || n >= half) throw new RangeError(`eip712: ${path}: ${n} does not fit ${type}`);
    return word(n < 0n ? (1n << 256n) + n : n);
  }
  if (type === "bool") {
    if (typeof v !== "boolean") throw new TypeError(`eip712: ${path}: expected a boolean`);
    return word(v ? 1n : 0n);
  }
  if (type === "address") {
    const b = hexBytes(v, path);
    if (b.length !== 20) throw new RangeError(`eip712: ${path}: an address has 20 bytes, not ${b.length}`);
    const out = new Uint8Array(32);
    out.set(b, 12);
    return out;
  }
  if (type === "string") {
    if (typeof v !== "string") throw new TypeError(`eip712: ${path}: expected a string`);
    return keccak256(UTF8.encode(v));
  }
  if (type === "bytes") return keccak256(hexBytes(v, path));
  const fixed = /^bytes(\d+)$/.exec(type);
  if (fixed) {
    const b = hexBytes(v, path);
    if (b.length !== Number(fixed[1])) throw new RangeError(`eip712: ${path}: expected ${fixed[1]} bytes`);
    const out = new Uint8Array(32);
    out.set(b, 0);
    return out;
  }
  throw new TypeError(`eip712: ${path}: unsupported type ${type}`);
}

function encodeValue(type: string, v: TypedValue | undefined, types: TypedTypes, path: string): Uint8Array {
  if (v === undefined) throw new TypeError(`eip712: ${path}: missing`);
  if (type.endsWith("[]")) {
    if (!Array.isArray(v)) throw new TypeError(`eip712: ${path}: expected an array`);
    const inner = type.slice(0, -2);
    return keccak256(
      ...(v as readonly TypedValue[]).map((x, i) => encodeValue(inner, x, types, `${path}[${i}]`)),
    );
  }
  if (types[type] !== undefined) {
    if (typeof v !== "object" || v === null || Array.isArray(v))
      throw new TypeError(`eip712: ${path}: expected a ${type} struct`);
    return hashStructAt(type, v as TypedStruct, types, path);
  }
  return encodeAtom(type, v, path);
}

function hashStructAt(primary: string, value: TypedStruct, types: TypedTypes, path: string): Uint8Array {
  const fields = types[primary];
  if (fields === undefined) throw new TypeError(`eip712: unknown struct type ${primary}`);
  const parts = [typeHash(primary, types)];
  for (const f of fields) parts.push(encodeValue(f.type, value[f.name], types, `${path}.${f.name}`));
  return keccak256(...parts);
}

/** keccak256(typeHash ‖ encodeData(value)). */
export function hashStruct(primary: string, value: TypedStruct, types: TypedTypes): Uint8Array {
  return hashStructAt(primary, value, types, primary);
}

/** The domain's own type: the members present, in the spec's order. */
export function domainFields(domain: Eip712Domain): readonly TypedField[] {
  return DOMAIN_FIELDS.filter((f) => domain[f.name as keyof Eip712Domain] !== undefined);
}

export function domainSeparator(domain: Eip712Domain): Uint8Array {
  const types: TypedTypes = { EIP712Domain: domainFields(domain) };
  return hashStruct("EIP712Domain", domain as TypedStruct, types);
}

const PREFIX = Uint8Array.of(0x19, 0x01);

/** The 32 bytes a wallet signs: keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message)). */
export function typedDataDigest(
  separator: Uint8Array,
  primary: string,
  types: TypedTypes,
  message: TypedStruct,
): Uint8Array {
  return keccak256(PREFIX, separator, hashStruct(primary, message, types));
}
