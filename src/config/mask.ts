import type { SecretKind } from "./registry.ts";

/**
 * Masking of secret config values, shared by the loader (its error messages quote values) and
 * `config show`; a file of its own so that neither imports the other.
 */

const MASK = "********";

/** A secret for display: a URL keeps everything but its password; any other secret is hidden. */
export function maskSecret(value: unknown, kind: SecretKind): unknown {
  if (typeof value !== "string" || value === "") return value;
  if (kind === "value") return MASK;
  try {
    const u = new URL(value);
    if (u.password === "") return value;
    u.password = "****";
    return u.toString();
  } catch {
    // unparseable: it may still hold a password, so show none of it
    return MASK;
  }
}
