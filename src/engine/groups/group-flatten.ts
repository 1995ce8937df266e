import type { AlertSeverity } from "../alerts.ts";
import { posKey } from "../orders/order-gateway.ts";
import type { EngineOrder, OrderPurpose } from "../orders/order-records.ts";
import type { EngineCore } from "./engine-core.ts";
import { type GroupState, isActive, type LegState, legHeldLots, legNetLots } from "./group-types.ts";

const sign = (side: "buy" | "sell") => (side === "buy" ? 1 : -1);

/** What the flatten loop needs of GroupOps (declared here so the two files do not import each other). */
export interface FlattenOps {
  settle(o: EngineOrder, waitUntil: number, deadline: number): Promise<void>;
  reduce(g: GroupState, leg: LegState, purpose: OrderPurpose, lots: number): Promise<EngineOrder | undefined>;
  alert(severity: AlertSeverity, key: string, title: string, message: string, g: GroupState): void;
}

/**
 * Reduce-only IOCs on every leg until each is flat on the venue, with backoff between rounds
 * and an alert while it is not. A leg whose lots the venue no longer has (liquidated, closed
 * by hand) is written off with the reason. True when every leg is flat.
 */
export async function flattenGroup(
  ops: FlattenOps,
  core: EngineCore,
  g: GroupState,
  purpose: "unwind" | "close",
  maxAttempts: number,
): Promise<boolean> {
  const { clock, settings } = core;
  let delay = settings.closeRetryInitialMs;
  for (let attempt = 1; ; attempt++) {
    const problems: string[] = [];
    await Promise.all(g.legs.map((leg) => flattenLeg(ops, core, g, leg, purpose, problems)));
    if (problems.length === 0) {
      core.alerts.raise({
        severity: "info",
        key: `engine.flat:${g.id}`,
        title: "group flat",
        message: `${g.id}: every leg is flat after ${attempt} round(s)`,
        context: { group: g.id },
        ts: clock.now(),
      });
      return true;
    }
    const severity: AlertSeverity = attempt >= 3 ? "critical" : "warning";
    ops.alert(
      severity,
      `engine.not_flat:${g.id}`,
      "group not flat",
      `${g.id} (${purpose}, round ${attempt}): ${problems.join("; ")}`,
      g,
    );
    if (attempt >= maxAttempts || core.halting()) return false;
    await clock.sleep(delay);
    delay = Math.min(delay * 2, settings.closeRetryMaxMs);
  }
}

async function flattenLeg(
  ops: FlattenOps,
  core: EngineCore,
  g: GroupState,
  leg: LegState,
  purpose: OrderPurpose,
  problems: string[],
): Promise<void> {
  const { clock, gateway, venues } = core;
  const where = `leg ${leg.index} ${leg.inst.key} ${leg.spec.account}`;
  // first make every earlier order of the leg definite: never act on a guess
  for (const o of leg.orders) {
    if (o.tracked.terminal || o.watchers > 0) continue;
    await ops.settle(o, clock.now(), clock.now() + core.settings.unknownRetryMs);
  }
  const pending = leg.orders.filter((o) => !o.tracked.terminal);
  if (pending.length > 0) {
    problems.push(`${where}: ${pending.length} order(s) not yet resolved`);
    return;
  }
  const held = legHeldLots(leg);
  if (held === 0) return;
  let venueLots: number;
  try {
    const wait = gateway.limits.acquire(leg.spec.venue, leg.spec.account, "positions");
    if (wait !== undefined) await wait;
    const positions = await venues.get(leg.spec.venue)!.positions(leg.spec.account);
    venueLots = positions.find((p) => p.symbol === leg.spec.symbol)?.sizeLots ?? 0;
  } catch (err) {
    problems.push(`${where}: positions unavailable (${(err as Error).message})`);
    return;
  }
  const key = posKey(leg.spec.venue, leg.spec.account, leg.spec.symbol);
  // lots other active groups hold on the same account and instrument are theirs, not ours
  let others = 0;
  for (const og of core.groups.values()) {
    if (og === g || !isActive(og.status)) continue;
    for (const l of og.legs)
      if (posKey(l.spec.venue, l.spec.account, l.spec.symbol) === key) others += legNetLots(l);
  }
  const venueHeld = Math.max(0, sign(leg.spec.side) * (venueLots - others));
  if (venueHeld < held) {
    // the venue holds less than we do: those lots left without us
    const gone = held - venueHeld;
    leg.externalLots -= sign(leg.spec.side) * gone;
    leg.externalReason = gateway.liquidations.has(key) ? "liquidated" : "closed_externally";
    core.journal.legExternal(g.id, leg.index, leg.externalLots, leg.externalReason);
    ops.alert(
      "warning",
      `engine.leg_gone:${g.id}:${leg.index}`,
      "leg closed outside perpbot",
      `${g.id} ${where}: ${gone} lots ${leg.externalReason}`,
      g,
    );
  }
  const toClose = Math.min(held, venueHeld);
  if (toClose === 0) return;
  const o = await ops.reduce(g, leg, purpose, toClose);
  if (o === undefined) {
    problems.push(`${where}: ${leg.failure?.detail ?? "close refused"}`);
    return;
  }
  const deadline = clock.now() + Math.max(1_000, core.settings.unknownRetryMs * 4);
  await ops.settle(o, deadline, deadline);
  if (legHeldLots(leg) > 0)
    problems.push(`${where}: ${legHeldLots(leg)} lots still open (${o.tracked.status})`);
}
