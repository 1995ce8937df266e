/**
 * The skeleton of a conformance harness on a live connector against its emulator
 * (`../conformance/harness.ts` says what a harness is). The venue's own harness makes the
 * emulator, the funded account and the connector; `emulatorHarness` connects and binds it
 * (closing both on failure) and turns the conformance driver's ticks and lots into the
 * emulator driver's decimal prices and sizes.
 */
import type { Venue } from "../../core/venue.ts";
import type { VenueHarness } from "../conformance/harness.ts";
import type { SimMarketDriver } from "./sim-core.ts";

/** answers and stream messages on loopback arrive well within this (ms) */
export const SETTLE_MS = 250;
/**
 * The market changes this long after a driver call: requests and subscriptions already on the
 * socket reach the emulator first, as they would reach a venue before the next market move.
 */
export const MARKET_DELAY_MS = 20;

/** What the harness drives on the emulator: its market driver and stream and answer faults. */
export interface EmulatorControls extends SimMarketDriver {
  /** cut a wire stream (the venue's own name for it) */
  freezeStream(stream: string): void;
  thawStream(stream: string): void;
  /** the next `count` order requests execute and their answers are lost */
  loseAcks(count: number): void;
}

export interface EmulatorHarnessSpec<V extends Venue> {
  readonly emulator: { close(): Promise<void> };
  readonly venue: V;
  readonly account: string;
  readonly symbol: string;
  /** bind `account` on the connected venue */
  readonly bind: (venue: V) => Promise<void>;
  readonly controls: EmulatorControls;
  /** the wire stream a conformance stream name ("book:BTC", "account") is carried on */
  readonly wireOf: (stream: string) => string;
  /** a price the instrument trades near (default 60 000: BTC) and a comfortable order size */
  readonly referencePx?: number;
  readonly unitSize: string;
  /** wait this long after binding (private subscriptions settling), default 0 */
  readonly afterBindMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function emulatorHarness<V extends Venue>(
  spec: EmulatorHarnessSpec<V>,
): Promise<VenueHarness & { readonly venue: V }> {
  const { venue, emulator, symbol } = spec;
  try {
    await venue.connect();
    await spec.bind(venue);
  } catch (e) {
    await venue.close();
    await emulator.close();
    throw e;
  }
  if ((spec.afterBindMs ?? 0) > 0) await sleep(spec.afterBindMs ?? 0);
  const inst = venue.instrument(symbol);
  const d = spec.controls;
  const later = () => sleep(MARKET_DELAY_MS);
  return {
    venue,
    account: spec.account,
    symbol,
    referenceTicks: inst.price(spec.referencePx ?? 60_000),
    unitLots: inst.size(spec.unitSize),
    drive: (work) => work,
    settle: () => sleep(SETTLE_MS),
    async close() {
      await venue.close();
      await emulator.close();
    },
    driver: {
      async setBook({ bidTicks, askTicks, lotsPerLevel, levels = 5 }) {
        await later();
        d.setBook({
          symbol,
          bidPx: inst.priceValue(bidTicks),
          askPx: inst.priceValue(askTicks),
          qty: inst.sizeValue(lotsPerLevel),
          levels,
          stepPx: inst.priceValue(1),
        });
      },
      async moveMark(priceTicks) {
        await later();
        d.moveMark({ symbol, markPx: inst.priceValue(priceTicks) });
      },
      async settleFunding(ratePerHour) {
        await later();
        d.settleFunding({ symbol, ratePerHour });
      },
      async dropStream(stream) {
        d.freezeStream(spec.wireOf(stream));
      },
      async restoreStream(stream) {
        d.thawStream(spec.wireOf(stream));
      },
      async loseNextAnswer() {
        d.loseAcks(1);
      },
    },
  };
}
