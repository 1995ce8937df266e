/**
 * The runner's side of the chaos test on Lighter: the emulator lives in the runner process, so its
 * state (accounts, registered API keys and their nonces, orders, fills, positions) outlives every
 * killed worker. It creates and funds eight accounts, registers a fresh API key (official signer)
 * for each at index 3 and writes the private keys to the run's directory for the workers (test keys,
 * only ever registered on this emulator), keeps a deep BTC book, and during every life but the last
 * gives a share of the transactions a fault (lost answer, 5xx before and after executing, delayed
 * answer, execute-then-timeout, 429) and drops every socket now and then. Signatures are checked
 * (the emulator's default). After each life it checks (a) against the emulator's own orders.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../../core/random.ts";
import { openStore } from "../../store/store.ts";
import type { ExchangeFault } from "../../venues/kit/faults.ts";
import { type LighterEmulator, startLighterEmulator } from "../../venues/lighter/emulator/start.ts";
import { generateApiKey } from "../../venues/lighter/signing.ts";
import { privateKeyToAddress } from "../../wallets/address.ts";
import { checkJournal } from "./checks.ts";
import type { HlChaosWorld } from "./hl-world.ts";
import {
  LT_CHAOS_API_KEY_INDEX,
  LT_CHAOS_VENUE,
  LT_KEYS_FILE,
  LT_WALLETS,
  type LtChaosAccount,
} from "./lt-config.ts";

const FAULTS: readonly ExchangeFault[] = [
  { kind: "loseAck" },
  { kind: "serverError", status: 502 },
  { kind: "serverError", status: 503, execute: true },
  { kind: "delayAck", ms: 300 },
  // held past the connector's 800 ms request timeout
  { kind: "executeThenTimeout", holdMs: 1_200 },
  { kind: "rateLimited" },
];

/** The same interface as Hyperliquid's; `nonceRefusals` counts txs refused for their nonce. */
export type LtChaosWorld = HlChaosWorld & {
  /** txs refused for a bad signature (must be 0) */
  signatureRefusals(): number;
};

export async function startLtChaosWorld(seed: number, dir: string): Promise<LtChaosWorld> {
  const emu: LighterEmulator = await startLighterEmulator({
    scheduledFunding: false,
    // every life restarts eight wallets' reads: far above a standard account's 60 a minute
    perMinute: 10_000_000,
    blockMs: 50,
  });
  const d = emu.driver;
  const accounts: LtChaosAccount[] = [];
  for (const [i, wallet] of LT_WALLETS.entries()) {
    const l1 = privateKeyToAddress(Buffer.alloc(32, 0x61 + i), wallet).toLowerCase();
    const accountIndex = d.createAccount(l1, 100_000);
    const key = await generateApiKey();
    d.registerKey(accountIndex, LT_CHAOS_API_KEY_INDEX, key.publicKeyHex);
    accounts.push({
      wallet,
      l1,
      accountIndex,
      apiPrivateKeyHex: Buffer.from(key.privateKey).toString("hex"),
    });
  }
  writeFileSync(join(dir, LT_KEYS_FILE), JSON.stringify({ rest: emu.url, ws: emu.wsUrl, accounts }), {
    mode: 0o600,
  });
  const book = () =>
    d.setBook({ symbol: "BTC", bidPx: 59_999, askPx: 60_000, size: 20, levels: 10, stepPx: 1 });
  d.moveMark({ symbol: "BTC", markPx: 60_000 });
  book();
  // fills take the book's liquidity: put it back, as a market maker would
  const refill = setInterval(book, 200);
  const rng = new Rng(`chaos-lt-${seed}`);
  let timers: ReturnType<typeof setInterval>[] = [];
  let queued = 0;
  const applied = () => Object.values(d.faultsApplied()).reduce((s, n) => s + n, 0);
  const refusals = (code: number) => d.refusals()[code] ?? 0;
  return {
    url: emu.url,
    beginLife(_life, final) {
      for (const t of timers) clearInterval(t);
      timers = [];
      d.clearFaults();
      queued = applied();
      if (final) return;
      // about one tx in seven gets a fault: one is queued whenever the last was applied
      timers.push(
        setInterval(() => {
          if (applied() >= queued && rng.chance(0.15)) {
            d.inject(FAULTS[Math.floor(rng.next() * FAULTS.length)]!);
            queued++;
          }
        }, 100),
        setInterval(() => {
          if (rng.chance(0.3)) d.dropSockets();
        }, 700),
      );
    },
    async endLife(runDir, out) {
      const orders = accounts.flatMap((a) =>
        d.orders(a.accountIndex).map((o) => ({
          venue: LT_CHAOS_VENUE,
          clientOrderId: String(o.clientOrderIndex),
          filledLots: o.filledLots,
        })),
      );
      const store = await openStore(`sqlite:${join(runDir, "engine.db")}`);
      try {
        await checkJournal(store, orders, out);
      } finally {
        await store.close();
      }
    },
    nonceRefusals: () => refusals(21104),
    signatureRefusals: () => refusals(21120),
    faultsApplied: () => d.faultsApplied(),
    async close() {
      for (const t of timers) clearInterval(t);
      clearInterval(refill);
      await emu.close();
    },
  };
}
