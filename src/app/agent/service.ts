import type { LoadedConfig } from "../../config/load.ts";
import { agentConfig } from "../../strategies/agent/config.ts";
import { strategiesSection } from "../../strategies/instances.ts";
import { withStore } from "../service/open.ts";
import { AgentJournal } from "./journal.ts";
import { agentLeaderboard, type LeaderboardRow } from "./leaderboard.ts";
import { type ReplayReport, replayAgent } from "./replay.ts";

/**
 * `perpbot agent …` behind the CLI: which agent instance (the only one configured, or the one
 * named), its store records, the leaderboard and the replay.
 */
export function agentInstance(
  config: LoadedConfig,
  name?: string,
): { name: string; minHours: number; minTrades: number } {
  const tables = strategiesSection.get(config.values);
  const agents = Object.entries(tables).filter(([, c]) => c.kind === "agent");
  const chosen =
    name === undefined ? (agents.length === 1 ? agents[0] : undefined) : agents.find(([n]) => n === name);
  if (chosen === undefined) {
    const known = agents.map(([n]) => n).join(", ") || "none";
    if (name === undefined && agents.length === 0) {
      // no agent configured: the records of an instance named "agent" may still be in the store
      const d = agentConfig();
      return { name: "agent", minHours: d.min_leaderboard_hours, minTrades: d.min_leaderboard_trades };
    }
    throw new Error(
      name === undefined
        ? `several agent instances are configured (${known}): name one with --instance`
        : `--instance ${name}: no agent instance of that name (agent instances: ${known})`,
    );
  }
  const c = chosen[1] as ReturnType<typeof agentConfig>;
  return { name: chosen[0], minHours: c.min_leaderboard_hours, minTrades: c.min_leaderboard_trades };
}

export function leaderboard(config: LoadedConfig, o: { instance?: string }): Promise<LeaderboardRow[]> {
  const inst = agentInstance(config, o.instance);
  return withStore(config, (store) => agentLeaderboard(new AgentJournal(store, inst.name), inst));
}

export function replay(
  config: LoadedConfig,
  o: { instance?: string; version: string; from?: number; to?: number },
): Promise<ReplayReport> {
  const inst = agentInstance(config, o.instance);
  return withStore(config, (store) => replayAgent(new AgentJournal(store, inst.name), o));
}

/** The settings of the named agent instance (or the only one), else the defaults: what a backtest runs. */
export function agentSettingsFrom(config: LoadedConfig, name?: string): ReturnType<typeof agentConfig> {
  const tables = strategiesSection.get(config.values);
  const agents = Object.entries(tables).filter(([, c]) => c.kind === "agent");
  if (name === undefined && agents.length === 0) return agentConfig();
  const inst = agentInstance(config, name);
  return tables[inst.name] as ReturnType<typeof agentConfig>;
}
