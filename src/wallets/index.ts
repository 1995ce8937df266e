export * from "./address.ts";
export * from "./edit.ts";
export * from "./errors.ts";
export { KEYSTORE_FORMAT, KEYSTORE_VERSION } from "./file.ts";
export * from "./keystore.ts";
export { DEFAULT_KDF, decryptSecret, encryptSecret, type KdfParams } from "./payload.ts";
export * from "./proxy.ts";
export { type SecretEncoding, secretForms } from "./secret-encoding.ts";
export { readSeedKeysFile, SEED_FIELDS } from "./seed-import.ts";
