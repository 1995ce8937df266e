import { decideCycle, decisionLogLine, StoredReplyModel } from "../../strategies/agent/decide.ts";
import type { AgentJournal } from "./journal.ts";

/**
 * Replay (issue 17, 6): each stored cycle of a version in [from, to] is decided again from its
 * stored observation and its stored raw replies (no model call, no cost), and the decision log
 * line is compared byte for byte with the one written when it ran.
 */
export interface ReplayReport {
  readonly version: string;
  readonly cycles: number;
  readonly identical: number;
  readonly mismatches: readonly {
    readonly cycle: number;
    readonly stored: string;
    readonly replayed: string;
  }[];
  /** the replayed decision log, one line per cycle */
  readonly log: readonly string[];
}

export async function replayAgent(
  journal: AgentJournal,
  o: { version: string; from?: number; to?: number },
): Promise<ReplayReport> {
  const v = await journal.version(o.version);
  const repairRetries = Number(v.snapshot.repair_retries ?? 1);
  const log: string[] = [];
  const mismatches: { cycle: number; stored: string; replayed: string }[] = [];
  let identical = 0;
  for (const rec of await journal.cycles({ version: v.id, from: o.from, to: o.to })) {
    if (rec.decision === null || rec.logLine === null) continue;
    const d =
      rec.decision.replies.length === 0
        ? rec.decision // no model call was made (cost cap): the stored hold is the decision
        : await decideCycle(rec.observation, new StoredReplyModel(rec.decision.replies), {
            systemPrompt: "",
            model: "",
            repairRetries,
            prices: {},
          });
    const line = decisionLogLine(rec.seq, rec.ts, rec.version, d);
    log.push(line);
    if (line === rec.logLine) identical++;
    else mismatches.push({ cycle: rec.seq, stored: rec.logLine, replayed: line });
  }
  return { version: v.id, cycles: log.length, identical, mismatches, log };
}
