/** Base class for every error perpbot raises on purpose: carries a machine-readable code. */
export class PerpbotError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An impossible domain value: NaN, negative size, off-grid price, unknown instrument... */
export class InvalidValueError extends PerpbotError {
  constructor(message: string) {
    super("invalid_value", message);
  }
}
