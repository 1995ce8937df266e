import { PerpbotError } from "../core/errors.ts";

/**
 * Errors of the keystore. Each carries the CLI exit code it asks for (src/cli/errors.ts reads
 * `exitCode`), and none ever quotes a secret: messages name the file, the wallet and the field.
 */

/** The password does not open the keystore (or an import file): exit code 3, nothing modified. */
export class WrongPasswordError extends PerpbotError {
  readonly exitCode: number = 3;
  constructor(message: string) {
    super("wrong_password", message);
  }
}

/** The keystore file (or one entry in it) is damaged, truncated or not a keystore: exit code 4. */
export class KeystoreCorruptError extends PerpbotError {
  readonly exitCode: number = 4;
  constructor(message: string, options?: { cause?: unknown }) {
    super("keystore_corrupt", message, options);
  }
}

/** A request the keystore cannot honour: unknown wallet, duplicate id, bad key or field: exit code 2. */
export class KeystoreUsageError extends PerpbotError {
  readonly exitCode: number = 2;
  constructor(message: string) {
    super("keystore_usage", message);
  }
}

/** Another process holds the keystore's write lock: exit code 5, try again. */
export class KeystoreBusyError extends PerpbotError {
  readonly exitCode: number = 5;
  constructor(message: string) {
    super("keystore_busy", message);
  }
}
