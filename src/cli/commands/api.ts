import type { Command } from "commander";
import { startApiServer } from "../../api/server.ts";
import { createApiToken } from "../../app/service/api-token.ts";
import { openConfiguredStore, withStore } from "../../app/service/open.ts";
import { createCliLogging, loadCliConfig } from "../context.ts";
import { parseNumberArg } from "../time-arg.ts";
import { perpbotVersion } from "../version.ts";

/**
 * `perpbot api`: the HTTP API and dashboard against the store alone (beside a `perpbot run`, or
 * with none: reads still work, control requests wait for the next run). `perpbot api token`
 * makes the control token. `perpbot run` starts the same server itself when `api.enabled`.
 */
export function registerApi(program: Command): void {
  const api = program
    .command("api")
    .description("serve the HTTP API and dashboard from the store (see docs/api.md)")
    .option("--port <port>", "TCP port (default: api.port)")
    .action(async (opts: { port?: string }, cmd: Command) => {
      const config = loadCliConfig(cmd);
      const logging = createCliLogging(config);
      const log = logging.forModule("api");
      const store = await openConfiguredStore(config);
      let server: Awaited<ReturnType<typeof startApiServer>>;
      try {
        server = await startApiServer({
          store,
          config,
          version: perpbotVersion(),
          api:
            opts.port === undefined
              ? undefined
              : { port: parseNumberArg(opts.port, "--port", { integer: true, min: 0, max: 65_535 }) },
          onError: (msg, e) => log.error({ err: e.message }, msg),
        });
      } catch (e) {
        await store.close();
        throw e;
      }
      process.stdout.write(`perpbot api: ${server.url}/ (Ctrl-C to stop)\n`);
      const why = await new Promise<string>((resolve) => {
        process.once("SIGINT", () => resolve("SIGINT"));
        process.once("SIGTERM", () => resolve("SIGTERM"));
      });
      log.info({ why }, "stopping");
      await server.close();
      await store.close();
      await logging.close();
    });
  api
    .command("token")
    .description("make a new control token (shown once; only its hash is stored; the old one stops working)")
    .action(async (_opts: unknown, cmd: Command) => {
      const config = loadCliConfig(cmd);
      const token = await withStore(config, (store) => createApiToken(store, Date.now()));
      process.stdout.write(
        `${token}\nThis is the API's control token: it is shown only now (the store keeps its hash). Send it as "Authorization: Bearer <token>".\n`,
      );
    });
}
