import type { Instrument } from "../../core/instrument.ts";
import type { Rng } from "../../core/random.ts";

/** One wallet offered to a group, with the balance it can commit (USD). */
export interface AllocationWallet {
  readonly walletId: string;
  readonly balanceUsd: number;
  /** the instrument this wallet would trade (its venue's listing of the group's market) */
  readonly instrument: Instrument;
}

export interface AllocationParams {
  readonly minLeverage: number;
  readonly maxLeverage: number;
  /**
   * bound on the group's net delta after rounding: |sum long size - sum short size| in the
   * underlying, valued at `referencePrice` (default 2)
   */
  readonly maxImbalanceUsd: number;
  /** the price each long leg will be sent at (e.g. the ask plus slippage), per instrument key */
  readonly longPrice: (inst: Instrument) => number;
  /** the price each short leg will be sent at, per instrument key */
  readonly shortPrice: (inst: Instrument) => number;
  /**
   * the one USD price of the underlying the net delta is valued at; default: halfway between the
   * first long leg's and the first short leg's send prices (the mid, when slippage is symmetric)
   */
  readonly referencePrice?: number;
}

export interface AllocatedLeg {
  readonly walletId: string;
  readonly instrument: Instrument;
  readonly side: "buy" | "sell";
  readonly sizeLots: number;
  /** rounded size times the price it will be sent at */
  readonly notionalUsd: number;
  readonly capacityUsd: number;
}

export type AllocationResult =
  | {
      readonly ok: true;
      readonly leverage: number;
      readonly legs: readonly AllocatedLeg[];
      readonly longNotionalUsd: number;
      readonly shortNotionalUsd: number;
      /** sum long size - sum short size, in the underlying */
      readonly netDeltaBase: number;
      /** |netDeltaBase| x referencePrice: the delta the group holds, within maxImbalanceUsd */
      readonly imbalanceUsd: number;
      readonly referencePrice: number;
    }
  | {
      readonly ok: false;
      readonly reason: AllocationFailure;
      readonly detail: string;
      /** the price the net delta was valued at, when the failure is "imbalance" */
      readonly referencePrice?: number;
    };

export type AllocationFailure = "too_few_wallets" | "below_min_notional" | "imbalance" | "bad_input";

const sizeText = (x: number) => String(Number(x.toFixed(10)));

/** Number of long wallets: uniform in [2, n-2] when n >= 4, else 1 or 2 for n = 3. */
export function drawLongCount(n: number, rng: Rng): number {
  if (n === 3) return rng.int(1, 2);
  return rng.int(2, n - 2);
}

/**
 * Split `target` USD over wallets with random weights in [0.15, 1), each capped at its capacity;
 * what a cap cuts off goes to the wallets with spare capacity, pro rata to their weights.
 */
export function splitTarget(target: number, capacities: readonly number[], rng: Rng): number[] {
  const weights = capacities.map(() => rng.uniform(0.15, 1));
  const out = capacities.map(() => 0);
  let left = target;
  let open = capacities.map((_, i) => i);
  for (let round = 0; round < capacities.length && left > 1e-9 && open.length > 0; round++) {
    const wsum = open.reduce((s, i) => s + weights[i], 0);
    let spill = 0;
    for (const i of open) {
      const want = (left * weights[i]) / wsum;
      const room = capacities[i] - out[i];
      const take = Math.min(want, room);
      out[i] += take;
      spill += want - take;
    }
    left = spill;
    open = open.filter((i) => capacities[i] - out[i] > 1e-9);
  }
  return out;
}

/**
 * Allocate one delta-neutral group (docs/farm.md, "Opening"). `longs`/`shorts` are given when the
 * caller fixes the sides (cross-venue pairs); otherwise the wallets are split at random.
 * Sizes are rounded down to each instrument's lot at the price that will be sent (capacity and
 * the venue minimum are checked at that price), then lots are moved one at a time to close the
 * gap. The bound is on the net delta: the long and short sizes in the underlying, valued at one
 * reference price, so that legs on two venues with different lots and prices still cancel out.
 */
export function allocateGroup(
  wallets: readonly AllocationWallet[],
  params: AllocationParams,
  rng: Rng,
  sides?: { longs: readonly AllocationWallet[]; shorts: readonly AllocationWallet[] },
): AllocationResult {
  const { minLeverage, maxLeverage, maxImbalanceUsd } = params;
  if (!(minLeverage >= 1 && maxLeverage >= minLeverage && maxImbalanceUsd >= 0)) {
    return {
      ok: false,
      reason: "bad_input",
      detail: `leverage ${minLeverage}..${maxLeverage}, bound ${maxImbalanceUsd}`,
    };
  }
  let longs: readonly AllocationWallet[];
  let shorts: readonly AllocationWallet[];
  if (sides) {
    ({ longs, shorts } = sides);
  } else {
    if (wallets.length < 3)
      return { ok: false, reason: "too_few_wallets", detail: `${wallets.length} wallets` };
    const shuffled = rng.shuffle([...wallets]);
    const k = drawLongCount(shuffled.length, rng);
    longs = shuffled.slice(0, k);
    shorts = shuffled.slice(k);
  }
  if (longs.length === 0 || shorts.length === 0) {
    return { ok: false, reason: "too_few_wallets", detail: `${longs.length} long, ${shorts.length} short` };
  }
  const ref =
    params.referencePrice ??
    (params.longPrice(longs[0].instrument) + params.shortPrice(shorts[0].instrument)) / 2;
  if (!(ref > 0 && Number.isFinite(ref))) {
    return { ok: false, reason: "bad_input", detail: `no usable reference price (${ref})` };
  }
  const leverage = rng.uniform(minLeverage, maxLeverage);
  const sum = (ws: readonly AllocationWallet[]) => ws.reduce((s, w) => s + w.balanceUsd, 0);
  const target = Math.min(sum(longs), sum(shorts)) * leverage;

  const build = (ws: readonly AllocationWallet[], side: "buy" | "sell") => {
    const caps = ws.map((w) => w.balanceUsd * leverage);
    const split = splitTarget(target, caps, rng);
    return ws.map((w, i) => {
      const price = side === "buy" ? params.longPrice(w.instrument) : params.shortPrice(w.instrument);
      const lotUsd = w.instrument.lot.value * price;
      const maxLots = Math.floor(caps[i] / lotUsd + 1e-9);
      return {
        walletId: w.walletId,
        instrument: w.instrument,
        side,
        lotUsd,
        /** one lot valued at the reference price: what a lot moves the net delta by */
        lotRefUsd: w.instrument.lot.value * ref,
        maxLots,
        lots: Math.min(maxLots, w.instrument.roundSize(split[i] / price, "down")),
        capacityUsd: caps[i],
      };
    });
  };
  const longLegs = build(longs, "buy");
  const shortLegs = build(shorts, "sell");
  // A leg below the venue's minimum notional cannot be sent: that wallet sits this group out.
  const minLots = (l: (typeof longLegs)[number]) =>
    Math.ceil(l.instrument.spec.minNotionalUsd / l.lotUsd - 1e-9);
  for (const l of [...longLegs, ...shortLegs]) if (l.lots < minLots(l)) l.lots = 0;
  const total = (legs: typeof longLegs) => legs.reduce((s, l) => s + l.lots * l.lotUsd, 0);
  const base = (legs: typeof longLegs) => legs.reduce((s, l) => s + l.lots * l.instrument.lot.value, 0);
  const deltaUsd = () => (base(longLegs) - base(shortLegs)) * ref;
  // sizes are on lot grids, so a float sum can miss the bound by a rounding error only
  const within = (gap: number) => Math.abs(gap) <= maxImbalanceUsd + 1e-9;

  // Close the rounding gap lot by lot: add to a leg of the light side or take from a leg of the
  // heavy side, always the move that shrinks |gap| most, until within the bound. Legs that sit
  // out stay out, and no leg drops below its minimum.
  for (let guard = 0; guard < 100_000; guard++) {
    const gap = deltaUsd();
    if (within(gap)) break;
    const grow = gap > 0 ? shortLegs : longLegs;
    const shrink = gap > 0 ? longLegs : shortLegs;
    let best: { leg: (typeof longLegs)[number]; delta: number; after: number } | undefined;
    for (const leg of grow) {
      if (leg.lots === 0 || leg.lots >= leg.maxLots) continue;
      const after = Math.abs(Math.abs(gap) - leg.lotRefUsd);
      if (!best || after < best.after) best = { leg, delta: 1, after };
    }
    for (const leg of shrink) {
      if (leg.lots <= minLots(leg)) continue;
      const after = Math.abs(Math.abs(gap) - leg.lotRefUsd);
      if (!best || after < best.after) best = { leg, delta: -1, after };
    }
    if (!best || best.after >= Math.abs(gap)) break;
    best.leg.lots += best.delta;
  }

  const legs: AllocatedLeg[] = [...longLegs, ...shortLegs]
    .filter((l) => l.lots > 0)
    .map((l) => ({
      walletId: l.walletId,
      instrument: l.instrument,
      side: l.side,
      sizeLots: l.lots,
      notionalUsd: l.lots * l.lotUsd,
      capacityUsd: l.capacityUsd,
    }));
  const longNotionalUsd = total(longLegs);
  const shortNotionalUsd = total(shortLegs);
  if (!legs.some((l) => l.side === "buy") || !legs.some((l) => l.side === "sell")) {
    return {
      ok: false,
      reason: "below_min_notional",
      detail: `no ${legs.some((l) => l.side === "buy") ? "short" : "long"} leg reaches the minimum notional at leverage ${leverage.toFixed(2)}`,
    };
  }
  const netDeltaBase = base(longLegs) - base(shortLegs);
  const imbalanceUsd = Math.abs(netDeltaBase) * ref;
  if (!within(imbalanceUsd)) {
    return {
      ok: false,
      reason: "imbalance",
      referencePrice: ref,
      detail: `rounded long ${sizeText(base(longLegs))} vs short ${sizeText(base(shortLegs))}: net delta $${imbalanceUsd.toFixed(2)} at $${ref} exceeds $${maxImbalanceUsd}`,
    };
  }
  return {
    ok: true,
    leverage,
    legs,
    longNotionalUsd,
    shortNotionalUsd,
    netDeltaBase,
    imbalanceUsd,
    referencePrice: ref,
  };
}
