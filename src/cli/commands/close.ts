import type { Command } from "commander";
import type { CloseArgs } from "../../app/control.ts";
import { storeSection } from "../../config/sections.ts";
import { listGroupRecords } from "../../engine/groups/group-records.ts";
import { openStore, type Store } from "../../store/store.ts";
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
    const store = await openStore(storeSection.get(config.values).url);
    try {
      let target = group;
      if (group === "all") {
        const active = await listGroupRecords(store.db, { activeOnly: true });
        if (active.length === 0) {
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
    } finally {
      await store.close();
    }
  });
}

/** A group by exact id, else by a unique prefix; a usage error when none or several match. */
async function resolveGroup(
  store: Store,
  text: string,
): Promise<{ id: string; status: string; reason: string | null }> {
  const row = (id: string) =>
    store.db
      .selectFrom("engine_groups")
      .select(["group_id", "status", "close_reason", "failure_reason"])
      .where("group_id", "=", id)
      .executeTakeFirst();
  let found = await row(text);
  if (found === undefined) {
    const ids = (await store.db.selectFrom("engine_groups").select("group_id").execute())
      .map((r) => r.group_id)
      .filter((id) => id.startsWith(text));
    if (ids.length > 1) {
      throw new UsageError(
        `group "${text}" is ambiguous: ${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", ..." : ""}`,
      );
    }
    if (ids.length === 1) found = await row(ids[0]);
  }
  if (found === undefined) throw new UsageError(`no group "${text}" in the store (see perpbot status)`);
  return { id: found.group_id, status: found.status, reason: found.close_reason ?? found.failure_reason };
}
