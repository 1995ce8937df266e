import type { StartProgress } from "../engine/executor.ts";

/**
 * The start-up progress lines `perpbot run` prints (issue 10, D5): with a thousand wallets the
 * start-up reads take a while, and a silent terminal looks hung. One line when a stage starts,
 * then at most one every `everyMs`, and one when it ends:
 * `start-up: reconciling positions of 2,000 accounts… 400/2,000`.
 */

const STAGES: Record<string, (n: string) => string> = {
  recovery: () => "reading the journal",
  orders: (n) => `resolving ${n} unfinished order(s)`,
  groups: (n) => `finishing ${n} unfinished group(s)`,
  reconcile: (n) => `reconciling positions of ${n} account(s)`,
  equity: (n) => `reading the equity of ${n} account(s)`,
  portfolio: (n) => `reading balances and positions of ${n} account(s)`,
};

export function thousands(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** One progress line; `done` omitted for the line that opens a stage. */
export function startupLine(p: StartProgress): string {
  const what = (STAGES[p.stage] ?? ((n: string) => `${p.stage} (${n})`))(thousands(p.total));
  if (p.stage === "recovery") return `start-up: ${what}…`;
  return `start-up: ${what}… ${thousands(p.done)}/${thousands(p.total)}`;
}

/** Throttles progress into lines for `write`. */
export function startupProgressPrinter(
  write: (line: string) => void,
  options: { now?: () => number; everyMs?: number } = {},
): (p: StartProgress) => void {
  const now = options.now ?? Date.now;
  const everyMs = options.everyMs ?? 1000;
  let stage = "";
  let last = Number.NEGATIVE_INFINITY;
  return (p) => {
    // stages with nothing to do say nothing
    if (p.total === 0) return;
    const t = now();
    const fresh = p.stage !== stage;
    const end = p.done >= p.total && p.stage !== "recovery";
    if (!fresh && !end && t - last < everyMs) return;
    if (!fresh && p.stage === "recovery") return;
    stage = p.stage;
    last = t;
    write(startupLine(p));
  };
}
