import type { Store } from "../../store/store.ts";
import { type AgentMeta, type CycleRecord, type EquityPoint, KEYS } from "../../strategies/agent/state.ts";
import type { ClosedTrade } from "../../strategies/agent/types.ts";
import type { AgentVersion } from "../../strategies/agent/version.ts";

/**
 * An agent instance's records as it wrote them to its state slot (`<instance>.<key>` in the
 * store's kv table), read back for the leaderboard and replay. Read-only.
 */
export class AgentJournal {
  private readonly store: Store;
  readonly instance: string;

  constructor(store: Store, instance: string) {
    this.store = store;
    this.instance = instance;
  }

  private async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.store.kv.get(`${this.instance}.${key}`);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async meta(): Promise<AgentMeta | undefined> {
    return this.get<AgentMeta>(KEYS.meta);
  }
  async versions(): Promise<AgentVersion[]> {
    return (await this.get<AgentVersion[]>(KEYS.versions)) ?? [];
  }
  async trades(version: string): Promise<ClosedTrade[]> {
    return (await this.get<ClosedTrade[]>(KEYS.trades(version))) ?? [];
  }
  async equity(version: string): Promise<EquityPoint[]> {
    return (await this.get<EquityPoint[]>(KEYS.equity(version))) ?? [];
  }

  /** Cycles in order, optionally of one version and within [from, to] (ms). */
  async cycles(f: { version?: string; from?: number; to?: number } = {}): Promise<CycleRecord[]> {
    const last = (await this.meta())?.seq ?? 0;
    const out: CycleRecord[] = [];
    for (let seq = 1; seq <= last; seq++) {
      const r = await this.get<CycleRecord>(KEYS.cycle(seq));
      if (r === undefined) continue;
      if (f.version !== undefined && r.version !== f.version) continue;
      if (f.from !== undefined && r.ts < f.from) continue;
      if (f.to !== undefined && r.ts > f.to) continue;
      out.push(r);
    }
    return out;
  }

  /** A version by id or tag; throws naming the known ones. */
  async version(idOrTag: string): Promise<AgentVersion> {
    const all = await this.versions();
    const v = all.find((x) => x.id === idOrTag) ?? all.find((x) => x.tag === idOrTag);
    if (v === undefined)
      throw new Error(
        `agent ${this.instance}: no version "${idOrTag}" (known: ${all.map((x) => `${x.tag} ${x.id}`).join(", ") || "none"})`,
      );
    return v;
  }
}
