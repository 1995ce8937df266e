import type { Clock } from "../../core/clock.ts";
import type { Venue } from "../../core/venue.ts";
import type { AlertBus } from "../alerts.ts";
import type { EngineSettings } from "../config.ts";
import type { Journal } from "../journal/journal.ts";
import type { OrderGateway } from "../orders/order-gateway.ts";
import type { OrphanGuard } from "../orphan-guard.ts";
import type { RiskGate } from "../risk/risk-gate.ts";
import type { GroupState } from "./group-types.ts";

/** What the group operations need from the engine. */
export interface EngineCore {
  readonly clock: Clock;
  readonly venues: ReadonlyMap<string, Venue>;
  readonly gateway: OrderGateway;
  readonly journal: Journal;
  readonly alerts: AlertBus;
  readonly settings: EngineSettings;
  readonly risk: RiskGate;
  readonly groups: ReadonlyMap<string, GroupState>;
  /** recent entries and group ends per key, which hold off orphan handling there */
  readonly orphanGuard: OrphanGuard;
  /** stop() was called: retry loops give up at their next turn */
  halting(): boolean;
}
