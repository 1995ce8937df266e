import { NextNonceSchema, parseAs } from "./parse.ts";

/**
 * The next nonce of one API key (nonces are per key, VENUES.md §2.6). Read from `nextNonce`
 * before the first transaction, then counted here; read again when the venue answered "invalid
 * nonce" and after an unknown outcome (the nonce may or may not have been used: the venue knows).
 * Transactions of one key are signed one at a time (`use`), so two never share a nonce.
 */
export class NonceKeeper {
  readonly #read: () => Promise<unknown>;
  #next: number | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  /** how often the venue's value was read (a health figure, and what tests check) */
  reads = 0;

  constructor(read: () => Promise<unknown>) {
    this.#read = read;
  }

  /** Forget the counted value: the next `use` reads the venue's. */
  invalidate(): void {
    this.#next = undefined;
  }

  get peek(): number | undefined {
    return this.#next;
  }

  /**
   * Run `send` with the next nonce, one at a time. `send` resolves "used" (the venue took it),
   * "unused" (refused before taking it: the nonce stays), or throws: then the value is read
   * again before the next transaction, unless `unused(error)` says the venue refused it
   * without taking the nonce.
   */
  use<T>(
    send: (nonce: number) => Promise<{ result: T; used: boolean }>,
    unused?: (e: unknown) => boolean,
  ): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.#next === undefined) {
        this.reads++;
        this.#next = parseAs(NextNonceSchema, await this.#read(), "nextNonce answer").nonce;
      }
      const nonce = this.#next;
      try {
        const { result, used } = await send(nonce);
        if (used) this.#next = nonce + 1;
        return result;
      } catch (e) {
        if (unused?.(e) !== true) this.#next = undefined;
        throw e;
      }
    };
    const p = this.#chain.then(run, run);
    this.#chain = p.catch(() => undefined);
    return p;
  }
}
