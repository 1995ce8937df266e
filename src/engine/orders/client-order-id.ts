import { hash } from "node:crypto";
import { InvalidValueError } from "../../core/errors.ts";
import type { ClientOrderIdFormat } from "../../core/venue-capabilities.ts";

/**
 * Client order ids are derived, never random: the same (intent, leg, attempt) always gives the
 * same id, so a resend after an unknown outcome carries the id of the first send and the venue
 * treats it as the same order. Nothing can be opened twice by a retry.
 *
 * `attempt` moves only after a DEFINITE end (rejected, or canceled/expired with nothing left),
 * when the engine deliberately sends a new order for the same leg. Never after an unknown.
 */
export interface ClientOrderIdParts {
  /** globally unique id of the journaled intent (unique across workers, e.g. a UUID) */
  readonly intentId: string;
  /** which leg of the intent, from 0 */
  readonly leg: number;
  /** 0 for the first order of the leg; +1 per deliberate re-send after a definite end */
  readonly attempt: number;
}

export type { ClientOrderIdFormat } from "../../core/venue-capabilities.ts";

/** The simulator's ids: "pb" and 30 base64url characters. */
export const COMPACT_32: ClientOrderIdFormat = {
  kind: "text",
  length: 32,
  prefix: "pb",
  alphabet: "base64url",
};
/** Hyperliquid's cloid: a 128-bit value as 0x and 32 lowercase hex digits. */
export const HEX_128: ClientOrderIdFormat = { kind: "hex", bytes: 16, prefix: "0x" };

/** below this many bits of hash, collisions between intents stop being negligible */
const MIN_HASH_BITS = 32;
const SHA256_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALNUM = /^[A-Za-z0-9]*$/;
const ALNUM_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// domain separation: a future change of the derivation gets a new tag, never colliding ids
const DOMAIN = "perpbot/client-order-id/v1";
/** formats already checked: the check runs once per format object, not once per order */
const checked = new WeakSet<ClientOrderIdFormat>();

function digest(parts: ClientOrderIdParts): Buffer {
  const { intentId, leg, attempt } = parts;
  if (intentId.length === 0) throw new InvalidValueError("client order id: empty intent id");
  if (!Number.isSafeInteger(leg) || leg < 0)
    throw new InvalidValueError(`client order id: leg ${leg} must be an integer >= 0`);
  if (!Number.isSafeInteger(attempt) || attempt < 0)
    throw new InvalidValueError(`client order id: attempt ${attempt} must be an integer >= 0`);
  // JSON of an array is an unambiguous encoding: no intent id can imitate another leg number
  // the one-shot crypto.hash: the same SHA-256, without a Hash object per id
  return hash("sha256", JSON.stringify([DOMAIN, intentId, leg, attempt]), "buffer");
}

/** Check a format's own constraints, so a bad capability entry fails at start, not at send. */
export function validateClientOrderIdFormat(format: ClientOrderIdFormat): void {
  if (checked.has(format)) return;
  const bad = (why: string) =>
    new InvalidValueError(`client order id format ${JSON.stringify(format)}: ${why}`);
  switch (format.kind) {
    case "hex":
      if (
        !Number.isSafeInteger(format.bytes) ||
        format.bytes * 8 < MIN_HASH_BITS ||
        format.bytes > SHA256_BYTES
      )
        throw bad(`bytes ${format.bytes} must be an integer in [${MIN_HASH_BITS / 8}, ${SHA256_BYTES}]`);
      if (format.prefix !== "0x" && format.prefix !== "") throw bad('prefix must be "0x" or ""');
      break;
    case "text": {
      const alphabet =
        format.alphabet === "alnum" ? ALNUM : format.alphabet === "base64url" ? BASE64URL : null;
      if (alphabet === null) throw bad('alphabet must be "base64url" or "alnum"');
      if (!alphabet.test(format.prefix))
        throw bad(`prefix ${JSON.stringify(format.prefix)} is not in the ${format.alphabet} alphabet`);
      const bitsPerChar = format.alphabet === "alnum" ? Math.log2(62) : 6;
      const hashChars = format.length - format.prefix.length;
      // a SHA-256 digest spells at most 43 characters in either alphabet
      if (!Number.isSafeInteger(format.length) || hashChars > 43 || hashChars * bitsPerChar < 96)
        throw bad(
          `length ${format.length} with prefix ${JSON.stringify(format.prefix)} must leave 16 to 43 hash characters (>= 96 bits)`,
        );
      break;
    }
    case "uint":
      if (!Number.isSafeInteger(format.bits) || format.bits < MIN_HASH_BITS || format.bits > 64)
        throw bad(`bits ${format.bits} must be an integer in [${MIN_HASH_BITS}, 64]`);
      break;
    default:
      throw bad("unknown kind");
  }
  checked.add(format);
}

/** The client order id of one order of one leg of one intent, in the venue's format. */
export function clientOrderId(parts: ClientOrderIdParts, format: ClientOrderIdFormat): string {
  validateClientOrderIdFormat(format);
  const d = digest(parts);
  switch (format.kind) {
    case "hex":
      return format.prefix + d.subarray(0, format.bytes).toString("hex");
    case "text": {
      const n = format.length - format.prefix.length;
      if (format.alphabet === "base64url") return format.prefix + d.toString("base64url").slice(0, n);
      return format.prefix + base62(d, n);
    }
    case "uint": {
      // in [1, 2^bits - 1]: venues read 0 as "no client id"
      const max = (1n << BigInt(format.bits)) - 1n;
      return ((d.readBigUInt64BE(0) % max) + 1n).toString();
    }
  }
}

/** Whether `id` has the shape of an id this module makes in `format` (e.g. to route venue events). */
export function isClientOrderId(id: string, format: ClientOrderIdFormat): boolean {
  switch (format.kind) {
    case "hex":
      return (
        id.length === format.prefix.length + 2 * format.bytes &&
        id.startsWith(format.prefix) &&
        /^[0-9a-f]*$/.test(id.slice(format.prefix.length))
      );
    case "text":
      return (
        id.length === format.length &&
        id.startsWith(format.prefix) &&
        (format.alphabet === "alnum" ? ALNUM : BASE64URL).test(id)
      );
    case "uint": {
      if (!/^[1-9][0-9]*$/.test(id)) return false;
      return BigInt(id) < 1n << BigInt(format.bits);
    }
  }
}

/** `n` base-62 digits of the digest read as one big number (n <= 43 fits in 256 bits). */
function base62(d: Buffer, n: number): string {
  let v = BigInt(`0x${d.toString("hex")}`);
  let out = "";
  for (let i = 0; i < n; i++) {
    out += ALNUM_DIGITS[Number(v % 62n)];
    v /= 62n;
  }
  return out;
}
