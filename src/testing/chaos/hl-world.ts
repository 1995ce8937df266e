/**
 * The runner's side of the chaos test on Hyperliquid: the emulator lives in the runner process,
 * so its state (accounts, orders, fills, positions, the nonces each agent used) outlives every
 * killed worker for the whole run. It funds the eight masters, approves their agents, keeps a deep
 * BTC book, and during every life but the last gives a share of the exchange requests a fault
 * (lost ack, 5xx before and after executing, delayed ack, execute-then-timeout, 429) and drops
 * every socket now and then. After each life it checks (a) against the emulator's own records
 * and counts the requests refused for their nonce (a restarted worker must never reuse one).
 */
import { join } from "node:path";
import { Rng } from "../../core/random.ts";
import { openStore } from "../../store/store.ts";
import {
  type ExchangeFault,
  type HyperliquidEmulator,
  startHyperliquidEmulator,
} from "../../venues/hyperliquid/emulator/start.ts";
import { type ChaosCounts, checkJournal } from "./checks.ts";
import { hlChaosAccounts } from "./hl-accounts.ts";
import { HL_CHAOS_VENUE } from "./hl-config.ts";

const FAULTS: readonly ExchangeFault[] = [
  { kind: "loseAck" },
  { kind: "serverError", status: 502 },
  { kind: "serverError", status: 503, execute: true },
  { kind: "delayAck", ms: 300 },
  // held past the connector's 800 ms timeout
  { kind: "executeThenTimeout", holdMs: 1_200 },
  { kind: "rateLimited" },
];

export interface HlChaosWorld {
  readonly url: string;
  /** faults on for a life (`final`: off, the last life checks a calm venue) */
  beginLife(life: number, final: boolean): void;
  /** after a life ended: (a) from the emulator's records, into `out` */
  endLife(dir: string, out: ChaosCounts): Promise<void>;
  /** requests refused for their nonce so far, all signers */
  nonceRefusals(): number;
  faultsApplied(): Readonly<Record<string, number>>;
  close(): Promise<void>;
}

export async function startHlChaosWorld(seed: number): Promise<HlChaosWorld> {
  const emu: HyperliquidEmulator = await startHyperliquidEmulator({
    blockMs: 250,
    hourlyFunding: false,
    // every life restarts eight wallets' reads: far above what one IP may spend on the venue
    ipWeightPerMinute: 1_000_000,
    addressBaseRequests: 10_000_000,
  });
  const d = emu.driver;
  const accounts = hlChaosAccounts();
  for (const a of accounts) {
    d.fund(a.master, 100_000);
    d.approveAgent(a.master, a.agent, "perpbot");
  }
  const book = () => d.setBook({ coin: "BTC", bidPx: 96_999, askPx: 97_000, sz: 20, levels: 10, stepPx: 1 });
  d.moveMark({ coin: "BTC", markPx: 97_000 });
  book();
  // fills take the book's liquidity: put it back, as a market maker would
  const refill = setInterval(book, 200);
  const rng = new Rng(`chaos-hl-${seed}`);
  let drops: ReturnType<typeof setInterval> | undefined;
  return {
    url: emu.url,
    beginLife(_life, final) {
      if (drops) clearInterval(drops);
      drops = undefined;
      d.clearFaults();
      if (final) return;
      d.randomFaults({ rate: 0.15, faults: FAULTS, random: () => rng.next() });
      drops = setInterval(() => {
        if (rng.chance(0.3)) d.dropSockets();
      }, 700);
    },
    async endLife(dir, out) {
      const orders = accounts.flatMap((a) =>
        d.orders(a.master).map((o) => ({
          venue: HL_CHAOS_VENUE,
          clientOrderId: o.cloid ?? "",
          filledLots: Math.round(o.filledLots),
        })),
      );
      const store = await openStore(`sqlite:${join(dir, "engine.db")}`);
      try {
        await checkJournal(store, orders, out);
      } finally {
        await store.close();
      }
    },
    nonceRefusals: () => Object.values(d.nonceRefusals()).reduce((s, n) => s + n, 0),
    faultsApplied: () => d.faultsApplied(),
    async close() {
      if (drops) clearInterval(drops);
      clearInterval(refill);
      await emu.close();
    },
  };
}
