import { hash } from "node:crypto";
import { InvalidValueError } from "../../core/errors.ts";

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

/**
 * How a venue spells client order ids: data in the venue's capabilities, never a venue check.
 * - compact: `prefix` + base64url characters, `[A-Za-z0-9_-]`, `length` characters in all
 * - hex128: `0x` + 32 lowercase hex digits (Hyperliquid's cloid, a 128-bit value)
 */
export type ClientOrderIdFormat =
  | { readonly style: "compact"; readonly length: number; readonly prefix: string }
  | { readonly style: "hex128" };

export const COMPACT_32: ClientOrderIdFormat = { style: "compact", length: 32, prefix: "pb" };
export const HEX_128: ClientOrderIdFormat = { style: "hex128" };

/** below this many hash characters (6 bits each) collisions stop being negligible */
const MIN_HASH_CHARS = 16;
const COMPACT_ALPHABET = /^[A-Za-z0-9_-]*$/;
// domain separation: a future change of the derivation gets a new tag, never colliding ids
const DOMAIN = "perpbot/client-order-id/v1";

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
  if (format.style === "hex128") return;
  const { length, prefix } = format;
  if (!COMPACT_ALPHABET.test(prefix))
    throw new InvalidValueError(
      `client order id format: prefix ${JSON.stringify(prefix)} is not [A-Za-z0-9_-]`,
    );
  if (!Number.isSafeInteger(length) || length > 32 || length - prefix.length < MIN_HASH_CHARS)
    throw new InvalidValueError(
      `client order id format: length ${length} with prefix ${JSON.stringify(prefix)} must be <= 32 and leave >= ${MIN_HASH_CHARS} hash characters`,
    );
}

/** The client order id of one order of one leg of one intent, in the venue's format. */
export function clientOrderId(parts: ClientOrderIdParts, format: ClientOrderIdFormat): string {
  validateClientOrderIdFormat(format);
  const d = digest(parts);
  if (format.style === "hex128") return `0x${d.subarray(0, 16).toString("hex")}`;
  return format.prefix + d.toString("base64url").slice(0, format.length - format.prefix.length);
}

/** Whether `id` has the shape of an id this module makes in `format` (e.g. to route venue events). */
export function isClientOrderId(id: string, format: ClientOrderIdFormat): boolean {
  if (format.style === "hex128") return /^0x[0-9a-f]{32}$/.test(id);
  return id.length === format.length && id.startsWith(format.prefix) && COMPACT_ALPHABET.test(id);
}
