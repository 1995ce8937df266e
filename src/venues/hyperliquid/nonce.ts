/**
 * Hyperliquid nonces (HLd "Nonces and API wallets"; VENUES.md §1.2): a millisecond timestamp,
 * kept per signer (the agent key when an agent signs), that must be larger than the smallest of
 * the signer's 20 highest used nonces, never reused, and within a day of the venue's time.
 *
 * `NonceManager.next(signer)` returns `max(now, last + 1)`: strictly increasing per signer even
 * when two orders fall in the same millisecond or the clock steps back, and independent for each
 * of the wallets one process drives.
 *
 * Restarts: before handing out a nonce above the persisted ceiling, the manager persists a new
 * ceiling `nonce + leaseMs` through the store (write-ahead), then hands out nonces up to it
 * without further writes. After a crash the manager starts above the persisted ceiling, so no
 * nonce is ever issued twice, even if the clock went back over the restart; the price is nonces up
 * to `leaseMs` ahead of the clock after a restart, well inside the venue's one-day window.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";

/** Where ceilings live. `save` must be durable when it returns. */
export interface NonceStore {
  load(signer: string): number | undefined;
  save(signer: string, ceiling: number): void;
}

export interface NonceOptions {
  /** ms timestamps; injected for tests */
  readonly now?: () => number;
  /** how far past a nonce each persisted ceiling reaches (default 10 s) */
  readonly leaseMs?: number;
}

interface SignerState {
  last: number;
  ceiling: number;
}

export class NonceManager {
  readonly #store: NonceStore;
  readonly #now: () => number;
  readonly #leaseMs: number;
  readonly #signers = new Map<string, SignerState>();

  constructor(store: NonceStore, opts: NonceOptions = {}) {
    this.#store = store;
    this.#now = opts.now ?? Date.now;
    this.#leaseMs = opts.leaseMs ?? 10_000;
    if (!(this.#leaseMs >= 1)) throw new RangeError("leaseMs must be ≥ 1");
  }

  /** The next nonce for `signer` (an address; case is ignored). */
  next(signer: string): number {
    const id = signer.toLowerCase();
    let st = this.#signers.get(id);
    if (!st) {
      const persisted = this.#store.load(id) ?? 0;
      // everything up to the persisted ceiling may have been used before a restart
      st = { last: persisted, ceiling: persisted };
      this.#signers.set(id, st);
    }
    const nonce = Math.max(this.#now(), st.last + 1);
    if (nonce > st.ceiling) {
      const ceiling = nonce + this.#leaseMs;
      this.#store.save(id, ceiling); // write-ahead: persisted before the nonce is used
      st.ceiling = ceiling;
    }
    st.last = nonce;
    return nonce;
  }

  /** The last nonce handed out for `signer` in this process, if any. */
  last(signer: string): number | undefined {
    return this.#signers.get(signer.toLowerCase())?.last;
  }
}

/** In-memory store (tests, paper mode). */
export class MemoryNonceStore implements NonceStore {
  readonly ceilings = new Map<string, number>();
  load(signer: string): number | undefined {
    return this.ceilings.get(signer);
  }
  save(signer: string, ceiling: number): void {
    this.ceilings.set(signer, ceiling);
  }
}

const FileSchema = z.object({
  version: z.literal(1),
  ceilings: z.record(z.string(), z.number().int().nonnegative()),
});

/**
 * One JSON file for every signer of the process (`data/hyperliquid-nonces.json`), replaced
 * atomically (write to a temporary file, fsync, rename) on each ceiling move, i.e. about once per
 * `leaseMs` per active signer. A corrupt file is an error, never silently reset.
 */
export class FileNonceStore implements NonceStore {
  readonly #path: string;
  readonly #ceilings: Record<string, number>;

  constructor(path: string) {
    this.#path = path;
    let text: string | undefined;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    if (text === undefined) this.#ceilings = {};
    else {
      const parsed = FileSchema.safeParse(JSON.parse(text));
      if (!parsed.success) throw new Error(`nonce file ${path} is not valid: ${parsed.error.message}`);
      this.#ceilings = { ...parsed.data.ceilings };
    }
  }

  load(signer: string): number | undefined {
    return this.#ceilings[signer];
  }

  save(signer: string, ceiling: number): void {
    this.#ceilings[signer] = Math.max(ceiling, this.#ceilings[signer] ?? 0);
    mkdirSync(dirname(this.#path), { recursive: true });
    const tmp = `${this.#path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, ceilings: this.#ceilings })}\n`, { flush: true });
    renameSync(tmp, this.#path);
  }
}
