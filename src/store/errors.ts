import { PerpbotError } from "../core/errors.ts";

/** The store could not be opened or migrated; the message never contains a password. */
export class StoreError extends PerpbotError {
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super("store_unavailable", message, options);
  }
}

/** The store's file is not there and the command only reads: exit code 7, nothing written. */
export class StoreMissingError extends PerpbotError {
  readonly exitCode: number = 7;
  readonly file: string;
  constructor(file: string) {
    super(
      "store_missing",
      `no store at ${file}: nothing has run in this directory yet (perpbot run creates it). Run the command where data/ is, or pass --config`,
    );
    this.file = file;
  }
}
