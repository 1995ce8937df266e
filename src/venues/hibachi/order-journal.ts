import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";

/**
 * Which nonce each order perpbot sent was signed with, on disk: Hibachi has no client order id,
 * so after a restart this file is the only way from perpbot's client id back to the venue's order
 * (`GET /trade/order?nonce=…`). One JSON line per order, appended and flushed before the order is
 * sent; lines older than `keepMs` are dropped when the file is opened. Without a path (tests, a
 * venue built without a data directory) it keeps nothing.
 */
const EntrySchema = z.strictObject({
  account: z.string(),
  clientOrderId: z.string(),
  nonce: z.string().regex(/^\d+$/),
  symbol: z.string(),
  side: z.enum(["buy", "sell"]),
  priceTicks: z.number(),
  sizeLots: z.number(),
  tif: z.enum(["gtc", "ioc", "post_only"]),
  reduceOnly: z.boolean(),
  ts: z.number(),
});
export type JournalEntry = z.output<typeof EntrySchema>;

export class OrderJournal {
  readonly path: string | undefined;
  readonly #entries: JournalEntry[] = [];

  constructor(path: string | undefined, now: number, keepMs = 2 * 86_400_000) {
    this.path = path;
    if (path === undefined) return;
    let text = "";
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    for (const [i, line] of text.split("\n").entries()) {
      if (line.trim() === "") continue;
      let parsed: ReturnType<typeof EntrySchema.safeParse>;
      try {
        parsed = EntrySchema.safeParse(JSON.parse(line));
      } catch {
        // a line cut by a crash mid-write is the last one: it was never sent
        continue;
      }
      if (!parsed.success)
        throw new Error(`hibachi order journal ${path}: line ${i + 1}: ${parsed.error.issues[0]?.message}`);
      if (now - parsed.data.ts <= keepMs) this.#entries.push(parsed.data);
    }
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, this.#entries.map((e) => `${JSON.stringify(e)}\n`).join(""), { flush: true });
    renameSync(tmp, path);
  }

  /** Orders of `account` still in the file. */
  entries(account: string): JournalEntry[] {
    return this.#entries.filter((e) => e.account === account);
  }

  /** Record an order before it is sent; throws when the file cannot take it (then send nothing). */
  append(e: JournalEntry): void {
    if (this.path !== undefined) appendFileSync(this.path, `${JSON.stringify(e)}\n`, { flush: true });
    this.#entries.push(e);
  }
}
