import type { Instrument } from "../core/instrument.ts";
import { toUsd } from "../core/money.ts";
import type { Fill } from "../core/types.ts";
import type { MakerConfig } from "../strategies/maker/config.ts";
import type { LaneReport } from "../strategies/maker/report.ts";
import type { FillModel, QueueStats } from "../venues/sim/queue.ts";

/**
 * The maker backtest's report: what the maker's own lane report says (volume, maker/taker split,
 * fees, rebates, realised PnL, cost per $1M) beside the venue's truth (its fills, the equity change
 * including the position still open at the end, marked to the venue's mark) and what the queue
 * model saw (how long resting orders waited for their first fill). Only simulated time and the
 * input go into it, so two runs on the same input print the same report.
 */
export interface MakerBacktestReport {
  readonly source: string;
  readonly startTs: number;
  readonly endTs: number;
  readonly events: number;
  readonly fillModel: FillModel;
  readonly settings: {
    readonly direction: string;
    readonly quantity: number;
    readonly takeProfitBps: number;
    readonly maxOrders: number;
    readonly waitTimeS: number;
    readonly gridStepBps: number | null;
    readonly boost: boolean;
    readonly repriceIntervalS: number;
  };
  readonly fills: number;
  readonly makerFills: number;
  readonly takerFills: number;
  readonly volumeUsd: number;
  readonly makerVolumeUsd: number;
  readonly takerVolumeUsd: number;
  /** maker share of volume, 0..1; null without volume */
  readonly makerShare: number | null;
  readonly feesPaidUsd: number;
  readonly rebatesUsd: number;
  readonly realisedPnlUsd: number;
  /** realised PnL net of fees and rebates */
  readonly netRealisedPnlUsd: number;
  /** position at the end, base units (signed), and its part of the equity change */
  readonly endPosition: number;
  /** wallet equity at the end minus at the start: realised, fees, and the open position at mark */
  readonly equityChangeUsd: number;
  /** -equity change per $1M of volume (all-in); null without volume */
  readonly costPerMillionUsd: number | null;
  /** the lane's own figure: -net realised PnL per $1M */
  readonly realisedCostPerMillionUsd: number | null;
  readonly takeProfitsPlaced: number;
  readonly repairs: number;
  /** the queue model's view; null under the cross model */
  readonly queue: {
    readonly ordersFilled: number;
    readonly waitP50Ms: number | null;
    readonly waitP90Ms: number | null;
    readonly waitMaxMs: number | null;
    readonly waitMeanMs: number | null;
    readonly cancelledUnfilled: number;
    readonly queueFills: number;
    readonly throughFills: number;
  } | null;
}

function pct(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export function makerReport(x: {
  source: string;
  startTs: number;
  endTs: number;
  events: number;
  fillModel: FillModel;
  maker: MakerConfig;
  lane: LaneReport | undefined;
  fills: readonly Fill[];
  inst: Instrument;
  endPositionLots: number;
  equityChangeUsd: number;
  queue: QueueStats | undefined;
}): MakerBacktestReport {
  let makerV = 0;
  let takerV = 0;
  let fees = 0;
  let rebates = 0;
  let pnl = 0;
  let makerFills = 0;
  for (const f of x.fills) {
    const n = x.inst.sizeValue(f.sizeLots) * x.inst.priceValue(f.priceTicks);
    if (f.liquidity === "maker") {
      makerV += n;
      makerFills++;
    } else takerV += n;
    const fee = toUsd(f.fee);
    if (fee >= 0) fees += fee;
    else rebates -= fee;
    pnl += toUsd(f.realisedPnl);
  }
  const volume = makerV + takerV;
  const waits = [...(x.queue?.waitsMs ?? [])].sort((a, b) => a - b);
  const m = x.maker;
  return {
    source: x.source,
    startTs: x.startTs,
    endTs: x.endTs,
    events: x.events,
    fillModel: x.fillModel,
    settings: {
      direction: m.direction,
      quantity: m.quantity,
      takeProfitBps: m.take_profit_bps,
      maxOrders: m.max_orders,
      waitTimeS: m.wait_time_s,
      gridStepBps: m.grid_step_bps,
      boost: m.boost,
      repriceIntervalS: m.reprice_interval_s,
    },
    fills: x.fills.length,
    makerFills,
    takerFills: x.fills.length - makerFills,
    volumeUsd: volume,
    makerVolumeUsd: makerV,
    takerVolumeUsd: takerV,
    makerShare: volume > 0 ? makerV / volume : null,
    feesPaidUsd: fees,
    rebatesUsd: rebates,
    realisedPnlUsd: pnl,
    netRealisedPnlUsd: pnl - fees + rebates,
    endPosition: x.inst.sizeValue(x.endPositionLots),
    equityChangeUsd: x.equityChangeUsd,
    costPerMillionUsd: volume > 0 ? (-x.equityChangeUsd / volume) * 1e6 : null,
    realisedCostPerMillionUsd: x.lane?.costPerMillionUsd ?? null,
    takeProfitsPlaced: x.lane?.tpPlaced ?? 0,
    repairs: x.lane?.repairs ?? 0,
    queue:
      x.queue === undefined
        ? null
        : {
            ordersFilled: waits.length,
            waitP50Ms: pct(waits, 0.5),
            waitP90Ms: pct(waits, 0.9),
            waitMaxMs: waits.length > 0 ? waits[waits.length - 1] : null,
            waitMeanMs: waits.length > 0 ? waits.reduce((s, w) => s + w, 0) / waits.length : null,
            cancelledUnfilled: x.queue.cancelledUnfilled,
            queueFills: x.queue.queueFills,
            throughFills: x.queue.throughFills,
          },
  };
}

const money = (v: number) => `${v < 0 ? "-" : ""}$${Math.abs(v).toFixed(2)}`;
const ms = (v: number | null) => (v === null ? "-" : `${(v / 1000).toFixed(2)} s`);

export function formatMakerReport(r: MakerBacktestReport): string {
  const s = r.settings;
  const fm =
    r.fillModel.kind === "queue"
      ? `queue position, placement latency ${r.fillModel.placeLatencyMs} ms, cancel latency ${r.fillModel.cancelLatencyMs} ms`
      : "cross (no queue position)";
  const lines = [
    `maker backtest: ${r.source}`,
    `  ${new Date(r.startTs).toISOString()} .. ${new Date(r.endTs).toISOString()} (${((r.endTs - r.startTs) / 60_000).toFixed(1)} min), ${r.events} events`,
    `  fill model: ${fm}`,
    `  maker: ${s.direction} ${s.quantity} BTC, take-profit ${s.takeProfitBps} bps, max ${s.maxOrders} orders, wait ${s.waitTimeS} s, re-price every ${s.repriceIntervalS} s${s.gridStepBps === null ? "" : `, grid ${s.gridStepBps} bps`}${s.boost ? ", boost" : ""}`,
    `  fills ${r.fills} (maker ${r.makerFills}, taker ${r.takerFills}); volume ${money(r.volumeUsd)} (maker ${money(r.makerVolumeUsd)}, taker ${money(r.takerVolumeUsd)}${r.makerShare === null ? "" : `, ${(r.makerShare * 100).toFixed(1)} % maker`})`,
    `  fees ${money(r.feesPaidUsd)}, rebates ${money(r.rebatesUsd)}; realised PnL ${money(r.realisedPnlUsd)}, net of fees ${money(r.netRealisedPnlUsd)}`,
    `  position at the end ${r.endPosition} BTC; equity change ${money(r.equityChangeUsd)} (open position at mark included)`,
    `  cost per $1M volume: ${r.costPerMillionUsd === null ? "-" : money(r.costPerMillionUsd)} all-in, ${r.realisedCostPerMillionUsd === null ? "-" : money(r.realisedCostPerMillionUsd)} realised; take-profits placed ${r.takeProfitsPlaced}, repairs ${r.repairs}`,
  ];
  const q = r.queue;
  if (q !== null)
    lines.push(
      `  queue: ${q.ordersFilled} orders filled after waiting p50 ${ms(q.waitP50Ms)}, p90 ${ms(q.waitP90Ms)}, max ${ms(q.waitMaxMs)} (mean ${ms(q.waitMeanMs)}); ${q.cancelledUnfilled} left unfilled; fills by queue ${q.queueFills}, by trade-through ${q.throughFills}`,
    );
  return lines.join("\n");
}
