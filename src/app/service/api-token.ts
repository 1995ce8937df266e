import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Store } from "../../store/store.ts";

/**
 * The HTTP API's control token. `perpbot api token` makes 32 random bytes (base64url), shows
 * them once, and keeps only their SHA-256 in the store's kv: a 256-bit random token needs no slow
 * hash (scrypt is for passwords people choose), and whoever reads the store cannot act with it.
 * A new token replaces the old one.
 */

export const API_TOKEN_KV_KEY = "api.token_sha256";

const digest = (token: string) => createHash("sha256").update(token, "utf8").digest();

/** A new token (stored as its hash; the previous one stops working). Returns the token itself. */
export async function createApiToken(store: Pick<Store, "kv">, now: number): Promise<string> {
  const token = `pb_${randomBytes(32).toString("base64url")}`;
  await store.kv.put(API_TOKEN_KV_KEY, digest(token).toString("hex"), now);
  return token;
}

export type TokenCheck = "ok" | "wrong" | "none_set";

/** Compares in constant time against the stored hash. */
export async function checkApiToken(store: Pick<Store, "kv">, token: string): Promise<TokenCheck> {
  const stored = await store.kv.get(API_TOKEN_KV_KEY);
  if (stored === null || !/^[0-9a-f]{64}$/.test(stored)) return "none_set";
  return timingSafeEqual(Buffer.from(stored, "hex"), digest(token)) ? "ok" : "wrong";
}

export async function apiTokenIsSet(store: Pick<Store, "kv">): Promise<boolean> {
  return (await store.kv.get(API_TOKEN_KV_KEY)) !== null;
}
