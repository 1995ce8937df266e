/**
 * What `perpbot doctor` compares a venue's account with: the orders perpbot's store holds and the
 * positions its own filled orders add up to (per venue kind, account and symbol), and the markets
 * the configured strategy instances trade.
 */
import type { ConfigValues } from "../../config/registry.ts";
import { resolveInstances } from "../../strategies/instances.ts";
import { liveVenueConfigs, venuesSection } from "../../venues/registry.ts";
import type { Store } from "../service/open.ts";

export interface Owned {
  orders(venue: string, account: string): ReadonlySet<string>;
  positions(venue: string, account: string): ReadonlyMap<string, number>;
}

const key = (venue: string, account: string) => `${venue}\u0000${account}`;

/** `open` runs the read on the store, or answers undefined when there is no store yet. */
export async function ownedByPerpbot(
  open: <T>(fn: (store: Store) => Promise<T>) => Promise<T | undefined>,
): Promise<Owned> {
  const rows = (await open((s) => s.orders.allEngine())) ?? [];
  const orders = new Map<string, Set<string>>();
  const positions = new Map<string, Map<string, number>>();
  for (const o of rows) {
    const k = key(o.venue, o.account);
    const ids = orders.get(k) ?? new Set<string>();
    orders.set(k, ids);
    ids.add(o.clientOrderId);
    const filled = Number(o.filledText);
    if (!(filled > 0)) continue;
    const bySymbol = positions.get(k) ?? new Map<string, number>();
    positions.set(k, bySymbol);
    const next = (bySymbol.get(o.symbol) ?? 0) + (o.side === "buy" ? filled : -filled);
    // sums of decimal sizes: round off the binary noise at 12 places
    bySymbol.set(o.symbol, Math.round(next * 1e12) / 1e12);
  }
  return {
    orders: (v, a) => orders.get(key(v, a)) ?? new Set(),
    positions: (v, a) => positions.get(key(v, a)) ?? new Map(),
  };
}

/** The markets (base symbols) of every enabled strategy instance the config runs on its live venues. */
export function tradedMarkets(values: ConfigValues): string[] {
  const venues = liveVenueConfigs(venuesSection.get(values));
  let instances: ReturnType<typeof resolveInstances>;
  try {
    instances = resolveInstances(values, {
      wallets: [...new Set(venues.flatMap((v) => v.accounts.map((a) => a.account)))],
      venues: venues.map((v) => v.kind),
      fallbackSeed: 0,
    });
  } catch {
    // a config the run would refuse: `perpbot run` says why; the doctor checks no market then
    return [];
  }
  const out = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 3 || v === null || typeof v !== "object") return;
    for (const [k, x] of Object.entries(v)) {
      if (k === "markets" && Array.isArray(x)) {
        for (const m of x) if (typeof m === "string") out.add(m);
      } else if (k === "symbol" && typeof x === "string") out.add(x);
      else walk(x, depth + 1);
    }
  };
  for (const i of instances) walk(i.config, 0);
  return [...out].sort();
}
