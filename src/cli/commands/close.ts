import type { Command } from "commander";
import type { CloseArgs } from "../../app/service/control.ts";
import { countActiveGroups, type FoundGroup, findGroup } from "../../app/service/groups.ts";
import { type Store, withStore } from "../../app/service/open.ts";
import { loadCliConfig } from "../context.ts";
import {
  parseExpireAfter,
  parseWait,
  submitAndWait,
  type WaitOptions,
  waitOptions,
} from "../control-request.ts";
import { UsageError } from "../errors.ts";

/** `perpbot close <group|all>`: a close request for the running `perpbot run` (see control-request.ts). */
export function registerClose(program: Command): void {
  waitOptions(
    program
      .command("close")
      .description(
        "close a group (id, or a unique prefix of one) or all groups, through the running `perpbot run`",
      )
      .argument("<group>", 'group id (see perpbot status), or "all"'),
  ).action(async (group: string, opts: WaitOptions, command: Command) => {
    const wait = parseWait(opts);
    const expireAfterMs = parseExpireAfter(opts);
    if (group.trim() === "") throw new UsageError("close: give a group id or all");
    const config = loadCliConfig(command);
    await withStore(config, async (store) => {
      let target = group;
      if (group === "all") {
        if ((await countActiveGroups(store)) === 0) {
          process.stdout.write("no active groups: nothing to close\n");
          return;
        }
      } else {
        const found = await resolveGroup(store, group);
        if (found.status === "closed" || found.status === "failed") {
          process.stdout.write(
            `group ${found.id} is already ${found.status} (${found.reason ?? "no reason"})\n`,
          );
          return;
        }
        target = found.id;
      }
      const args: CloseArgs = { group: target };
      await submitAndWait(
        store,
        "close",
        args,
        target === "all" ? "close all groups" : `close ${target}`,
        wait,
        expireAfterMs,
      );
    });
  });
}

/** A group by exact id, else by a unique prefix; a usage error when none or several match. */
async function resolveGroup(store: Store, text: string): Promise<FoundGroup> {
  const found = await findGroup(store, text);
  if (found.kind === "ambiguous") {
    throw new UsageError(
      `group "${text}" is ambiguous: ${found.ids.slice(0, 5).join(", ")}${found.ids.length > 5 ? ", ..." : ""}`,
    );
  }
  if (found.kind === "none") throw new UsageError(`no group "${text}" in the store (see perpbot status)`);
  return found.group;
}
