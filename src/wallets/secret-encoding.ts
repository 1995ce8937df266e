import { KeystoreUsageError } from "./errors.ts";

/**
 * How a secret's text becomes the bytes inside an encrypted payload, and back.
 *
 * - `hex`: private keys. Hex digits, with or without `0x`, decoded to raw bytes first: this is
 *   seed 000's rule, so a 32-byte wallet key is encrypted exactly as seed 000 encrypts it. The
 *   text form is lowercase hex without `0x`.
 * - `utf8`: everything else (API secrets, passphrases, a proxy password): the exact UTF-8 bytes
 *   of the text, nothing trimmed or case-folded, because an HMAC secret must come back verbatim.
 *
 * The encoding is chosen by the field, never guessed from the value: an API secret that happens
 * to look like hex must not come back lowercased.
 */
export type SecretEncoding = "hex" | "utf8";

/** Private keys are hex; any other secret field is text. */
export function encodingForField(field: string): SecretEncoding {
  return /(^|_)private_key$/.test(field) ? "hex" : "utf8";
}

const HEX_RE = /^(?:0[xX])?((?:[0-9a-fA-F]{2})+)$/;

/** The payload plaintext for a secret typed or imported as text. `where` names it in errors. */
export function secretBytes(text: string, encoding: SecretEncoding, where: string): Buffer {
  if (text.length === 0) throw new KeystoreUsageError(`${where}: the secret is empty`);
  if (encoding === "hex") {
    const m = HEX_RE.exec(text);
    if (!m) {
      throw new KeystoreUsageError(
        `${where}: expected hex digits (optionally 0x-prefixed, even count), got ${text.length} characters that are not`,
      );
    }
    return Buffer.from(m[1], "hex");
  }
  if (text.trim() !== text) {
    // almost always a paste accident; a secret that really starts with a space is not supported
    throw new KeystoreUsageError(`${where}: the secret has leading or trailing whitespace`);
  }
  return Buffer.from(text, "utf8");
}

/** The text form of decrypted bytes. Strings cannot be zeroed: prefer the Buffer where possible. */
export function secretText(bytes: Uint8Array, encoding: SecretEncoding): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return encoding === "hex" ? b.toString("hex") : b.toString("utf8");
}

/**
 * Every way a secret could be written into a log line: the text itself, and for the raw bytes
 * hex (lower, upper, with and without 0x), base64 (padded, unpadded, url-safe). The scrubber and
 * the "no secret in any log" tests both search for these.
 */
export function secretForms(bytes: Uint8Array, encoding: SecretEncoding): string[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hex = b.toString("hex");
  const b64 = b.toString("base64");
  const forms = [hex, `0x${hex}`, hex.toUpperCase(), `0x${hex.toUpperCase()}`, b64, b64.replace(/=+$/, "")];
  forms.push(b.toString("base64url"));
  if (encoding === "utf8") forms.push(b.toString("utf8"));
  // very short forms (a 1-byte secret's hex) would redact innocent text everywhere; keep >= 4 chars
  return [...new Set(forms)].filter((f) => f.length >= 4);
}
