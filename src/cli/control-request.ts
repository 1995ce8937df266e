import type { Command } from "commander";
import {
  type CloseArgs,
  type ControlAction,
  type ControlRequest,
  enqueueControlRequest,
  type FlattenArgs,
  getControlRequest,
  RUNNER_STALE_MS,
  readRunnerHeartbeat,
} from "../app/control.ts";
import { PerpbotError } from "../core/errors.ts";
import type { Store } from "../store/store.ts";
import { UsageError } from "./errors.ts";

/**
 * The CLI side of operator requests (`perpbot close`, `perpbot flatten`). The running
 * `perpbot run` owns the venues, so these commands write a request to the store
 * (`control_requests`, src/app/control.ts) and wait for the runner to act on it, printing
 * progress, then the outcome. Without a runner the request stays queued and is acted on when
 * `perpbot run` next runs.
 *
 * Exit codes: 0 done (or queued with --no-wait), 1 failed or not picked up within --wait,
 * 2 bad input.
 */

/** The request ran and failed, or the wait ran out: exit code 1. */
export class ControlError extends PerpbotError {
  readonly exitCode: number = 1;
  constructor(message: string) {
    super("control_request", message);
  }
}

export interface WaitOptions {
  /** seconds (string from the command line), or false for --no-wait */
  readonly wait: string | boolean;
  /** seconds after which a request no runner acted on expires (string); "0": never */
  readonly expireAfter?: string;
}

export const waitOptions = (c: Command) =>
  c
    .option("--wait <seconds>", "how long to wait for `perpbot run` to act", "60")
    .option("--no-wait", "queue the request and return at once")
    .option(
      "--expire-after <seconds>",
      "a request no `perpbot run` acted on within this long expires instead of running later (0: never)",
      "3600",
    );

/** The --expire-after option in ms, or undefined for 0 (never). */
export function parseExpireAfter(opts: WaitOptions): number | undefined {
  const text = String(opts.expireAfter ?? "3600");
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 30 * 86_400) {
    throw new UsageError(
      `--expire-after "${text}": expected a whole number of seconds between 0 and 2592000 (30 days; 0: never)`,
    );
  }
  return n === 0 ? undefined : n * 1000;
}

export function parseWait(opts: WaitOptions): number | false {
  if (opts.wait === false) return false;
  const text = String(opts.wait);
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(n > 0) || n > 86_400) {
    throw new UsageError(`--wait "${text}": expected a number of seconds between 0 and 86400 (or --no-wait)`);
  }
  return n;
}

export async function submitAndWait(
  store: Store,
  action: ControlAction,
  args: CloseArgs | FlattenArgs,
  what: string,
  wait: number | false,
  expireAfterMs?: number,
): Promise<void> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const beat = await readRunnerHeartbeat(store);
  const alive = beat !== undefined && Date.now() - beat.ts < RUNNER_STALE_MS;
  const now = Date.now();
  const expiresAt = expireAfterMs === undefined ? undefined : now + expireAfterMs;
  const id = await enqueueControlRequest(store.db, action, args, now, expiresAt);
  out(`request #${id}: ${what}`);
  if (wait === false) {
    const until =
      expiresAt === undefined ? "" : ` (it expires unacted at ${new Date(expiresAt).toISOString()})`;
    out(
      alive
        ? `queued: the running \`perpbot run\` (pid ${beat?.pid}) will act on it within seconds; see perpbot status`
        : `queued: \`perpbot run\` will act on it when it runs${until}`,
    );
    return;
  }
  out(
    alive
      ? `waiting for \`perpbot run\` (pid ${beat?.pid}) to act on it (up to ${wait} s)...`
      : `no \`perpbot run\` seen in the last ${RUNNER_STALE_MS / 1000} s; waiting up to ${wait} s for one to pick it up...`,
  );
  const started = Date.now();
  const deadline = started + wait * 1000;
  let last: ControlRequest | undefined;
  let lastNote = started;
  for (;;) {
    last = await getControlRequest(store.db, id);
    if (last === undefined) throw new ControlError(`request #${id} disappeared from the store`);
    if (last.status === "done") {
      out(`done: ${outcomeText(last)}`);
      return;
    }
    if (last.status === "failed") {
      const { error, ...rest } = last.result ?? {};
      const detail = Object.keys(rest).length > 0 ? ` (${outcomeText(last)})` : "";
      throw new ControlError(`request #${id} failed: ${String(error ?? "no detail")}${detail}`);
    }
    const now = Date.now();
    if (now >= deadline) break;
    if (now - lastNote >= 10_000) {
      lastNote = now;
      out(
        `  ${last.status === "running" ? "perpbot run is acting on it" : "still queued"} (${Math.round((now - started) / 1000)} s)...`,
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(200, Math.max(1, deadline - now))));
  }
  if (last.status === "running") {
    throw new ControlError(
      `\`perpbot run\` is still acting on request #${id} after ${wait} s; see perpbot status and perpbot alerts`,
    );
  }
  out("queued: `perpbot run` will act on it when it runs");
  throw new ControlError(`no \`perpbot run\` picked up request #${id} within ${wait} s`);
}

function outcomeText(r: ControlRequest): string {
  const res = r.result ?? {};
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  if (r.action === "close") {
    const closed = list(res.closed);
    const notFlat = Array.isArray(res.notFlat) ? res.notFlat.length : 0;
    const parts = [];
    if (typeof res.detail === "string") parts.push(res.detail);
    if (closed.length > 0) parts.push(`closed: ${closed.join(", ")}`);
    if (notFlat > 0) parts.push(`${notFlat} not flat yet`);
    return parts.join("; ");
  }
  const closed = list(res.groupsClosed);
  const notFlat = list(res.groupsNotFlat);
  const parts = [`${closed.length} group(s) closed${closed.length > 0 ? ` (${closed.join(", ")})` : ""}`];
  if (notFlat.length > 0) parts.push(`${notFlat.length} group(s) not flat yet (${notFlat.join(", ")})`);
  parts.push(`${Number(res.positionsFlattened ?? 0)} other position(s) flattened`);
  if (Number(res.positionsNotFlat ?? 0) > 0)
    parts.push(`${Number(res.positionsNotFlat)} position(s) not flat yet`);
  return parts.join("; ");
}
