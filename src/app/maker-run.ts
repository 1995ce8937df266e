import type { ConfigValues } from "../config/registry.ts";
import { dataDirSection, storeSection } from "../config/sections.ts";
import { WallClock } from "../core/clock.ts";
import { InvalidValueError } from "../core/errors.ts";
import { engineSection, engineSettingsFrom } from "../engine/config.ts";
import type { Logging } from "../log/logger.ts";
import { openStore } from "../store/store.ts";
import { type MakerConfig, makerInstanceSchema } from "../strategies/maker/config.ts";
import { lineHit } from "../strategies/maker/logic.ts";
import type { MakerStrategy } from "../strategies/maker/maker.ts";
import { createTradeRecorder, tradesSection } from "../trades/config.ts";
import { simSection } from "../venues/sim/config.ts";
import { startNode } from "./node.ts";
import { createPaperWorld, marketStatusLines, simDbPathFor } from "./paper.ts";

/**
 * `perpbot maker`: one maker instance from seed 003's flags, no config file needed, on the paper
 * venues (live needs a live connector, which does not exist yet). The flags map onto the `[maker]`
 * keys one to one; every problem names the flag it came from.
 */
export interface MakerFlags {
  readonly exchange?: string;
  readonly ticker?: string;
  readonly quantity?: string;
  readonly takeProfit?: string;
  readonly maxOrders?: string;
  readonly waitTime?: string;
  readonly gridStep?: string;
  readonly stopPrice?: string;
  readonly pausePrice?: string;
  readonly boost?: boolean;
  readonly direction?: string;
}

/** config key → the seed flag it comes from */
export const MAKER_FLAG_OF: Readonly<Record<string, string>> = {
  venue: "--exchange",
  markets: "--ticker",
  quantity: "--quantity",
  take_profit_bps: "--take-profit",
  max_orders: "--max-orders",
  wait_time_s: "--wait-time",
  grid_step_bps: "--grid-step",
  stop_price: "--stop-price",
  pause_price: "--pause-price",
  boost: "--boost",
  direction: "--direction",
};

function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n))
    throw new InvalidValueError(`${flag} must be a number, got "${v}"`);
  return n;
}

/**
 * The flags as a maker config, in the seed's units: `--take-profit` and `--grid-step` in percent
 * (0.02 = 0.02 % = 2 bps), -100 / -1 meaning off as in the seed. Every problem at once.
 */
export function makerConfigFromFlags(f: MakerFlags, venues: readonly string[]): MakerConfig {
  const problems: string[] = [];
  const read = (flag: string, v: string | undefined) => {
    try {
      return num(flag, v);
    } catch (e) {
      problems.push((e as Error).message);
      return undefined;
    }
  };
  if (f.exchange === undefined) problems.push("--exchange is required");
  else if (!venues.includes(f.exchange))
    problems.push(`--exchange "${f.exchange}" is not a venue of this process (known: ${venues.join(", ")})`);
  if (f.ticker === undefined) problems.push("--ticker is required");
  if (f.quantity === undefined) problems.push("--quantity is required");
  const tp = read("--take-profit", f.takeProfit ?? "0.02");
  const grid = read("--grid-step", f.gridStep);
  const stop = read("--stop-price", f.stopPrice);
  const pause = read("--pause-price", f.pausePrice);
  const raw = {
    kind: "maker",
    venue: f.exchange ?? "",
    markets: [f.ticker ?? ""],
    quantity: read("--quantity", f.quantity),
    take_profit_bps: tp === undefined ? undefined : tp * 100,
    max_orders: read("--max-orders", f.maxOrders ?? "40"),
    wait_time_s: read("--wait-time", f.waitTime ?? "450"),
    // the seed's "off" values
    grid_step_bps: grid === undefined || grid === -100 ? null : grid * 100,
    stop_price: stop === undefined || stop === -1 ? null : stop,
    pause_price: pause === undefined || pause === -1 ? null : pause,
    boost: f.boost === true,
    direction: f.direction ?? "buy",
  };
  const parsed = makerInstanceSchema.safeParse(raw);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const key = String(i.path[0] ?? "");
      const flag = MAKER_FLAG_OF[key] ?? key;
      // a flag already reported as missing or not a number is not reported twice
      if (!problems.some((p) => p.startsWith(flag))) problems.push(`${flag}: ${i.message}`);
    }
  }
  if (problems.length > 0) throw new InvalidValueError(problems.join("; "));
  return parsed.data!;
}

/** A stop or pause price already reached at launch is on the wrong side of the market. */
export function checkLinesAgainstMarket(c: MakerConfig, bid: number, ask: number): void {
  const problems: string[] = [];
  const side = c.direction === "buy" ? `above the ask (${ask})` : `below the bid (${bid})`;
  if (lineHit(c.direction, bid, ask, c.stop_price))
    problems.push(
      `--stop-price ${c.stop_price} is on the wrong side for --direction ${c.direction}: it must be ${side}`,
    );
  if (lineHit(c.direction, bid, ask, c.pause_price))
    problems.push(
      `--pause-price ${c.pause_price} is on the wrong side for --direction ${c.direction}: it must be ${side}`,
    );
  if (problems.length > 0) throw new InvalidValueError(problems.join("; "));
}

export interface MakerRun {
  readonly header: string;
  readonly maker: MakerStrategy;
  statusLines(): string[];
  stop(): Promise<void>;
}

export async function startMakerRun(o: {
  config: ConfigValues;
  logging: Logging;
  flags: MakerFlags;
}): Promise<MakerRun> {
  const sim = simSection.get(o.config);
  const maker = makerConfigFromFlags(o.flags, sim.venues);
  const clock = new WallClock();
  const world = createPaperWorld(sim, clock, {
    simDbPath: simDbPathFor(dataDirSection.get(o.config)),
    stepMs: 250,
  });
  const store = await openStore(storeSection.get(o.config).url).catch((e) => {
    world.close();
    throw e;
  });
  try {
    const venue = world.venues.get(maker.venue)!;
    const inst = venue.instruments().find((i) => i.spec.base === maker.markets[0]);
    if (inst === undefined) {
      const known = venue.instruments().map((i) => i.spec.base);
      throw new InvalidValueError(
        `--ticker "${maker.markets[0]}" is not listed on ${maker.venue} (${known.join(", ")})`,
      );
    }
    const book = venue.book(inst.symbol);
    const bid = book.bestBidTicks();
    const ask = book.bestAskTicks();
    if (bid !== undefined && ask !== undefined)
      checkLinesAgainstMarket(maker, inst.priceValue(bid), inst.priceValue(ask));
    // one lane: the first paper wallet (seed 003 runs one account per process; config instances run many)
    const wallet = world.wallets[0].id;
    const node = await startNode({
      store,
      venues: world.venues,
      clock,
      wallets: [wallet],
      instances: [
        {
          spec: { name: "maker", kind: "maker", wallets: [wallet], venues: [maker.venue], seed: clock.now() },
          config: maker,
          maxExposureUsd: undefined,
        },
      ],
      engineSettings: engineSettingsFrom(engineSection.get(o.config)),
      tradeRecorder: createTradeRecorder(tradesSection.get(o.config), o.logging.forModule("trades")),
      log: (source, level, msg, ctx) => o.logging.forModule(`strategy.${source}`)[level](ctx ?? {}, msg),
    });
    const strategy = node.instances.get("maker")!.strategy as MakerStrategy;
    return {
      header: `perpbot maker (paper): ${maker.venue} ${inst.symbol} ${maker.direction} ${maker.quantity}, take-profit ${maker.take_profit_bps} bps, wallet ${wallet}. Ctrl-C to stop.`,
      maker: strategy,
      statusLines: () => [...marketStatusLines(world), ...strategy.statusLines()],
      async stop() {
        await node.stop();
        world.close();
        await store.close();
      },
    };
  } catch (e) {
    world.close();
    await store.close();
    throw e;
  }
}
