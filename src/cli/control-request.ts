import type { Command } from "commander";
import {
  awaitControlRequest,
  type CloseArgs,
  type ControlAction,
  controlOutcomeText,
  type FlattenArgs,
  RUNNER_STALE_MS,
  submitControlRequest,
} from "../app/service/control.ts";
import type { Store } from "../app/service/open.ts";
import { PerpbotError } from "../core/errors.ts";
import { UsageError } from "./errors.ts";

/**
 * The CLI side of operator requests (`perpbot close`, `perpbot flatten`). The running
 * `perpbot run` owns the venues, so these commands queue a request (src/app/service/control.ts)
 * and wait for the runner to act on it, printing
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
  const { id, expiresAt, runner } = await submitControlRequest(store, action, args, {
    now: Date.now(),
    expireAfterMs,
  });
  out(`request #${id}: ${what}`);
  if (wait === false) {
    const until =
      expiresAt === undefined ? "" : ` (it expires unacted at ${new Date(expiresAt).toISOString()})`;
    out(
      runner.running
        ? `queued: the running \`perpbot run\` (pid ${runner.pid}) will act on it within seconds; see perpbot status`
        : `queued: \`perpbot run\` will act on it when it runs${until}`,
    );
    return;
  }
  out(
    runner.running
      ? `waiting for \`perpbot run\` (pid ${runner.pid}) to act on it (up to ${wait} s)...`
      : `no \`perpbot run\` seen in the last ${RUNNER_STALE_MS / 1000} s; waiting up to ${wait} s for one to pick it up...`,
  );
  let lastNote = 0;
  const last = await awaitControlRequest(store, id, {
    timeoutMs: wait * 1000,
    onWaiting: (r, elapsedMs) => {
      if (elapsedMs - lastNote < 10_000) return;
      lastNote = elapsedMs;
      out(
        `  ${r.status === "running" ? "perpbot run is acting on it" : "still queued"} (${Math.round(elapsedMs / 1000)} s)...`,
      );
    },
  });
  if (last === undefined) throw new ControlError(`request #${id} disappeared from the store`);
  if (last.status === "done") {
    out(`done: ${controlOutcomeText(last)}`);
    return;
  }
  if (last.status === "failed") {
    const { error, ...rest } = last.result ?? {};
    const detail = Object.keys(rest).length > 0 ? ` (${controlOutcomeText(last)})` : "";
    throw new ControlError(`request #${id} failed: ${String(error ?? "no detail")}${detail}`);
  }
  if (last.status === "running") {
    throw new ControlError(
      `\`perpbot run\` is still acting on request #${id} after ${wait} s; see perpbot status and perpbot alerts`,
    );
  }
  out("queued: `perpbot run` will act on it when it runs");
  throw new ControlError(`no \`perpbot run\` picked up request #${id} within ${wait} s`);
}
