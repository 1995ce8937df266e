import type { KdfParams } from "../wallets/payload.ts";

/**
 * The cheapest argon2id the keystore accepts: tests that create keystores use it so each
 * open or edit takes milliseconds (real keystores use DEFAULT_KDF).
 */
export const FAST_KDF: KdfParams = {
  algorithm: "argon2id",
  memoryKiB: 64,
  iterations: 1,
  parallelism: 1,
  keyLength: 32,
};
