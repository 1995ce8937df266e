import { z } from "zod";
import { AgentStrategy } from "./agent/agent.ts";
import { type AgentConfig, agentInstanceSchema } from "./agent/config.ts";
import { CarryStrategy } from "./carry/carry.ts";
import { type CarryInstanceConfig, carryInstanceSchema } from "./carry/config.ts";
import type { InstanceSpec, Strategy, StrategyKind, StrategyServices } from "./contract.ts";
import { type FarmInstanceConfig, farmInstanceSchema } from "./farm/config.ts";
import { FarmStrategy } from "./farm/farm.ts";
import { type HedgedMakerConfig, hedgedMakerInstanceSchema } from "./hedged-maker/config.ts";
import { HedgedMakerStrategy } from "./hedged-maker/hedged-maker.ts";
import { type MakerConfig, makerInstanceSchema } from "./maker/config.ts";
import { MakerStrategy } from "./maker/maker.ts";
import { type ScalpInstanceConfig, scalpInstanceSchema } from "./scalp/config.ts";
import { ScalpStrategy } from "./scalp/scalp.ts";

/**
 * Config `kind` → how to build an instance. A new strategy adds its kind here (schema with a
 * `kind` literal, and a factory); the `[strategies.<name>]` tables are validated against these
 * schemas, so its settings are checked, shown and documented like every other section.
 */
const farmKind: StrategyKind<typeof farmInstanceSchema> = {
  kind: "farm",
  schema: farmInstanceSchema,
  create: (spec: InstanceSpec, config: FarmInstanceConfig) => new FarmStrategy(spec, config),
};

const makerKind: StrategyKind<typeof makerInstanceSchema> = {
  kind: "maker",
  schema: makerInstanceSchema,
  create: (spec: InstanceSpec, config: MakerConfig) => new MakerStrategy(spec, config),
};

const hedgedMakerKind: StrategyKind<typeof hedgedMakerInstanceSchema> = {
  kind: "hedged_maker",
  schema: hedgedMakerInstanceSchema,
  create: (spec: InstanceSpec, config: HedgedMakerConfig) => new HedgedMakerStrategy(spec, config),
};

const carryKind: StrategyKind<typeof carryInstanceSchema> = {
  kind: "carry",
  schema: carryInstanceSchema,
  create: (spec: InstanceSpec, config: CarryInstanceConfig) => new CarryStrategy(spec, config),
};

const scalpKind: StrategyKind<typeof scalpInstanceSchema> = {
  kind: "scalp",
  schema: scalpInstanceSchema,
  create: (spec: InstanceSpec, config: ScalpInstanceConfig) => new ScalpStrategy(spec, config),
};

const agentKind: StrategyKind<typeof agentInstanceSchema> = {
  kind: "agent",
  schema: agentInstanceSchema,
  create: (spec: InstanceSpec, config: AgentConfig, services: StrategyServices) =>
    new AgentStrategy(spec, config, services),
};

export const STRATEGY_KINDS = [
  farmKind,
  makerKind,
  hedgedMakerKind,
  carryKind,
  scalpKind,
  agentKind,
] as const;

/** One instance's table, whichever its kind. */
export const instanceSchema = z.discriminatedUnion("kind", [
  farmInstanceSchema,
  makerInstanceSchema,
  hedgedMakerInstanceSchema,
  carryInstanceSchema,
  scalpInstanceSchema,
  agentInstanceSchema,
]);

export type InstanceConfig = z.output<typeof instanceSchema>;

export function strategyKind(kind: string): StrategyKind {
  const k = STRATEGY_KINDS.find((x) => x.kind === kind);
  if (k === undefined) {
    throw new Error(
      `unknown strategy kind "${kind}" (known: ${STRATEGY_KINDS.map((x) => x.kind).join(", ")})`,
    );
  }
  return k as unknown as StrategyKind;
}

export function createStrategy(
  spec: InstanceSpec,
  config: InstanceConfig,
  services: StrategyServices = {},
): Strategy {
  return strategyKind(spec.kind).create(spec, config, services);
}
