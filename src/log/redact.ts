/**
 * Value-based secret scrubbing. Key-based redaction (pino `redact`) only catches secrets stored
 * under known field names; a private key pasted into an error message or a URL with a password
 * would slip through. So every secret the process knows (keystore password, decrypted keys, API
 * secrets, the store URL's password) is registered here, and every log line and every error
 * message the CLI prints has each occurrence replaced.
 */

export const REDACTED = "[REDACTED]";

const secrets = new Set<string>();
let pattern: RegExp | null = null;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function rebuild(): void {
  const variants = new Set<string>();
  for (const s of secrets) {
    variants.add(s);
    // inside a JSON log line the secret appears escaped ("a\"b"), which a plain search would miss
    variants.add(JSON.stringify(s).slice(1, -1));
  }
  // longest first, so a secret that contains another is replaced whole
  const sorted = [...variants].sort((a, b) => b.length - a.length);
  pattern = sorted.length === 0 ? null : new RegExp(sorted.map(escapeRegExp).join("|"), "g");
}

/** Registers a secret string: from now on it never appears in a log line or a printed error. */
export function registerSecret(value: string): void {
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError("registerSecret: a secret must be a non-empty string");
  }
  if (secrets.has(value)) return;
  secrets.add(value);
  rebuild();
}

/** Forgets a secret (e.g. a wallet key removed from the keystore). */
export function unregisterSecret(value: string): void {
  if (secrets.delete(value)) rebuild();
}

/** `text` with every registered secret replaced by [REDACTED]. */
export function redactText(text: string): string {
  if (pattern === null) return text;
  return text.replace(pattern, REDACTED);
}

/**
 * Field names whose values are always secret, whatever they hold; pino censors them in every log
 * object at the top level and two levels down.
 */
export const SECRET_FIELDS = [
  "password",
  "passphrase",
  "secret",
  "privateKey",
  "private_key",
  "apiKey",
  "api_key",
  "apiSecret",
  "api_secret",
  "mnemonic",
  "token",
  "authorization",
  // alert destinations (src/alerts): a bot token or a webhook URL is the credential itself
  "bot_token",
  "botToken",
  "webhook_url",
  "webhookUrl",
  "signing_secret",
  "bearer_token",
] as const;

export function secretFieldPaths(): string[] {
  return SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);
}
