import type { Store } from "../../store/store.ts";
import { type ExitLogEntry, KEYS } from "../../strategies/agent/state.ts";

/**
 * The journal walk of issue 17: every position of the agent's account, rebuilt from the engine's
 * stored fills, must have an engine-held stop-loss and take-profit on its own side at every
 * instant, as the agent's exit log (state slot `exitlog:<n>`) records them. Events are walked in
 * time order (exit changes in their log order) and the state is checked after each millisecond's
 * events: an exit armed in the same millisecond as the fill that opens the position counts as
 * held, as does one dropped in the millisecond of the fill that closes it; one armed a
 * millisecond late, or dropped a millisecond early, is a gap.
 */
export interface WalkFill {
  readonly symbol: string;
  readonly side: "buy" | "sell";
  /** base units */
  readonly size: number;
  readonly ts: number;
}

export interface ExitViolation {
  readonly ts: number;
  readonly symbol: string;
  readonly position: number;
  readonly problem: string;
}

export interface ExitWalk {
  readonly fills: number;
  readonly exitChanges: number;
  /** position spells (flat → open → flat, or still open at the end) */
  readonly positionsOpened: number;
  /** instants (distinct ms) at which some position was open and checked */
  readonly instantsChecked: number;
  readonly openMs: number;
  /** the first instant of each spell of a violation, per symbol */
  readonly violations: readonly ExitViolation[];
}

type Ev =
  | { readonly ts: number; readonly rank: 0; readonly order: number; readonly exit: ExitLogEntry }
  | { readonly ts: number; readonly rank: 1; readonly order: number; readonly fill: WalkFill };

/** Lots of float noise below this are flat (fills are decimal strings summed as floats). */
const EPS = 1e-9;

function problemOf(pos: number, x: ExitLogEntry | undefined): string | null {
  if (x === undefined || x.side === null) return "no held exit";
  if ((pos > 0 ? "long" : "short") !== x.side) return `held exit is for a ${x.side}`;
  if (x.stopLoss === null || !Number.isFinite(x.stopLoss)) return "no stop-loss";
  if (x.takeProfit === null || !Number.isFinite(x.takeProfit)) return "no take-profit";
  const dir = pos > 0 ? 1 : -1;
  if (dir * (x.takeProfit - x.stopLoss) <= 0)
    return `take-profit ${x.takeProfit} is not beyond the stop ${x.stopLoss}`;
  return null;
}

export function walkExits(
  fills: readonly WalkFill[],
  exits: readonly ExitLogEntry[],
  until?: number,
): ExitWalk {
  const evs: Ev[] = [
    ...exits.map((e, i) => ({ ts: e.ts, rank: 0 as const, order: i, exit: e })),
    ...fills.map((f, i) => ({ ts: f.ts, rank: 1 as const, order: i, fill: f })),
  ].sort((a, b) => a.ts - b.ts || a.rank - b.rank || a.order - b.order);
  const pos = new Map<string, number>();
  const held = new Map<string, ExitLogEntry>();
  const bad = new Map<string, string>();
  const violations: ExitViolation[] = [];
  let opened = 0;
  let instants = 0;
  let openMs = 0;
  let lastTs: number | undefined;
  const anyOpen = () => [...pos.values()].some((p) => Math.abs(p) > EPS);
  const check = (ts: number) => {
    let open = false;
    for (const [symbol, p] of pos) {
      if (Math.abs(p) <= EPS) {
        bad.delete(symbol);
        continue;
      }
      open = true;
      const problem = problemOf(p, held.get(symbol));
      if (problem === null) bad.delete(symbol);
      else if (bad.get(symbol) !== problem) {
        bad.set(symbol, problem);
        violations.push({ ts, symbol, position: p, problem });
      }
    }
    if (open) instants++;
  };
  for (let i = 0; i < evs.length; i++) {
    const e = evs[i];
    if (lastTs !== undefined && anyOpen()) openMs += e.ts - lastTs;
    lastTs = e.ts;
    if ("fill" in e) {
      const before = pos.get(e.fill.symbol) ?? 0;
      const after = before + (e.fill.side === "buy" ? 1 : -1) * e.fill.size;
      if (Math.abs(before) <= EPS && Math.abs(after) > EPS) opened++;
      else if (Math.abs(after) > EPS && Math.sign(after) !== Math.sign(before)) opened++;
      pos.set(e.fill.symbol, Math.abs(after) <= EPS ? 0 : after);
    } else held.set(e.exit.symbol, e.exit);
    if (i === evs.length - 1 || evs[i + 1].ts !== e.ts) check(e.ts);
  }
  if (until !== undefined && lastTs !== undefined && until > lastTs && anyOpen()) openMs += until - lastTs;
  return {
    fills: fills.length,
    exitChanges: exits.length,
    positionsOpened: opened,
    instantsChecked: instants,
    openMs,
    violations,
  };
}

/** The fills of one account on one venue and an agent instance's exit log, as the store has them. */
export async function readExitJournal(
  store: Store,
  o: { instance: string; venue: string; account: string },
): Promise<{ fills: WalkFill[]; exits: ExitLogEntry[] }> {
  const fills = (
    await store.fills.list({ venue: o.venue, account: o.account, limit: Number.MAX_SAFE_INTEGER })
  ).map((f) => ({ symbol: f.symbol, side: f.side, size: Number(f.size), ts: f.ts }));
  const key = (k: string) => `${o.instance}.${k}`;
  const n = Number((await store.kv.get(key(KEYS.exitLogSeq))) ?? "0");
  const exits: ExitLogEntry[] = [];
  for (let i = 1; i <= n; i++) {
    const raw = await store.kv.get(key(KEYS.exitLog(i)));
    if (raw === null) throw new Error(`agent ${o.instance}: exit log entry ${i} of ${n} is missing`);
    exits.push(JSON.parse(raw) as ExitLogEntry);
  }
  return { fills, exits };
}
