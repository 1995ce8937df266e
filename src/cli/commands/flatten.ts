import type { Command } from "commander";
import { paperVenueIds } from "../../app/paper.ts";
import type { FlattenArgs } from "../../app/service/control.ts";
import { withStore } from "../../app/service/open.ts";
import { loadCliConfig } from "../context.ts";
import {
  parseExpireAfter,
  parseWait,
  submitAndWait,
  type WaitOptions,
  waitOptions,
} from "../control-request.ts";
import { UsageError } from "../errors.ts";

/** `perpbot flatten [--venue V] [--wallet W]`: a flatten request for the running `perpbot run` (see control-request.ts). */
export function registerFlatten(program: Command): void {
  waitOptions(
    program
      .command("flatten")
      .description(
        "reduce-only close of every group and position (or those of --venue / --wallet), through the running `perpbot run`",
      )
      .option("--venue <venue>", "only this venue")
      .option("--wallet <wallet>", "only this wallet"),
  ).action(async (opts: WaitOptions & { venue?: string; wallet?: string }, command: Command) => {
    const wait = parseWait(opts);
    const expireAfterMs = parseExpireAfter(opts);
    if (opts.venue !== undefined && opts.venue.trim() === "")
      throw new UsageError("--venue: give a venue id");
    if (opts.wallet !== undefined && opts.wallet.trim() === "")
      throw new UsageError("--wallet: give a wallet id");
    const config = loadCliConfig(command);
    if (opts.venue !== undefined && config.values.mode === "paper") {
      const venues = paperVenueIds(config.values);
      if (!venues.includes(opts.venue))
        throw new UsageError(`--venue "${opts.venue}": paper mode trades ${venues.join(", ")}`);
    }
    await withStore(config, async (store) => {
      const args: FlattenArgs = { venue: opts.venue, wallet: opts.wallet };
      const scope = [opts.venue && `venue ${opts.venue}`, opts.wallet && `wallet ${opts.wallet}`]
        .filter(Boolean)
        .join(", ");
      await submitAndWait(
        store,
        "flatten",
        args,
        `flatten ${scope || "everything on every venue"}`,
        wait,
        expireAfterMs,
      );
    });
  });
}
