/**
 * Starknet field elements, shared by the Starknet venues (Paradex's rev 0 typed data, Extended's
 * rev 1 Poseidon messages); no I/O. Facts from the Cairo docs: the field prime is
 * 2^251 + 17·2^192 + 1; a short string is at most 31 ASCII characters read as big-endian bytes
 * (`cairo_short_string_to_felt` in starknet-rs `starknet-core/src/utils.rs`); a negative Cairo
 * integer (i64) is P − |x| in the field.
 */

/** 2^251 + 17·2^192 + 1, the Stark field prime */
export const FIELD_PRIME = 2n ** 251n + 17n * 2n ** 192n + 1n;

export class FeltError extends Error {
  override name = "FeltError";
}

/** A short string as a felt: its ASCII bytes, big-endian (Cairo short string). */
export function shortStringFelt(text: string, where = "short string"): bigint {
  if (text.length > 31) throw new FeltError(`${where}: "${text}" is longer than 31 characters`);
  let out = 0n;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) throw new FeltError(`${where}: "${text}" has a non-ASCII character at ${i}`);
    out = (out << 8n) | BigInt(c);
  }
  return out;
}

/** A signed integer in [min, max] as a felt (negatives as P − |x|). */
export function signedFelt(v: bigint, bits: number, where: string): bigint {
  const lim = 1n << BigInt(bits - 1);
  if (v < -lim || v >= lim) throw new FeltError(`${where}: ${v} does not fit an i${bits}`);
  return v < 0n ? FIELD_PRIME + v : v;
}

/** An unsigned integer below 2^bits as a felt. */
export function unsignedFelt(v: bigint, bits: number, where: string): bigint {
  if (v < 0n || v >= 1n << BigInt(bits)) throw new FeltError(`${where}: ${v} does not fit a u${bits}`);
  return v;
}

/** A felt given as a bigint, a decimal or a 0x-hex text; refuses values outside the field. */
export function feltOf(v: bigint | string, where: string): bigint {
  let n: bigint;
  if (typeof v === "bigint") n = v;
  else if (/^[0-9]+$/.test(v) || /^0x[0-9a-fA-F]+$/.test(v)) n = BigInt(v);
  else throw new FeltError(`${where}: "${v}" is neither a decimal nor a 0x-hex number`);
  if (n < 0n || n >= FIELD_PRIME) throw new FeltError(`${where}: ${n} is outside the Stark field`);
  return n;
}

/** A felt as 32 big-endian bytes (what the "stark" account signer signs). */
export function feltBytes(v: bigint): Uint8Array {
  return Buffer.from(v.toString(16).padStart(64, "0"), "hex");
}

/** "0x…" lowercase hex without leading zeros (starknet-rs `Felt::to_hex_string`). */
export function feltHex(v: bigint): string {
  return `0x${v.toString(16)}`;
}
