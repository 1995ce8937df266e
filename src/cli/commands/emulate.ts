import type { Command } from "commander";
import { EMULATED_VENUES } from "../../app/emulate.ts";
import { UsageError } from "../errors.ts";

/**
 * `perpbot emulate hyperliquid|backpack|aster|lighter|hibachi|paradex [--port N]`: a local venue (Hyperliquid: HTTP /info
 * and /exchange, the WebSocket at /ws; Backpack: its REST API and WebSocket; Aster: /fapi/v3 and
 * /fapi/v1, market streams at /stream, user streams at /ws/<listenKey>; Lighter: /api/v1 and the WebSocket at /stream; Hibachi and Paradex: their REST APIs, Paradex's WebSocket) on 127.0.0.1, backed by
 * the simulated exchange core, until Ctrl-C.
 */
export function registerEmulate(program: Command): void {
  program
    .command("emulate")
    .description(
      "run a local venue emulator (Hyperliquid, Backpack, Aster, Lighter, Hibachi, Paradex) on 127.0.0.1 until Ctrl-C",
    )
    .argument("<venue>", `the venue to emulate: ${Object.keys(EMULATED_VENUES).join(", ")}`)
    .option("--port <n>", "port to listen on (0: any free port)", "0")
    .option("--mainnet", "accept mainnet signatures instead of testnet ones")
    .option(
      "--fund <account=usdc...>",
      "fund accounts at start, e.g. 0xabc…=10000 (Backpack: <base64 API key>=10000; Aster: 0xuser:0xapiwallet=10000; Lighter: an L1 address, a new account; Hibachi: accountId:apiKey:pubkey=usdt; Paradex: 0xaccount:0xstarkkey=0 onboards)",
      collect,
      [],
    )
    .action(async (venue: string, opts: { port: string; mainnet?: boolean; fund: string[] }) => {
      const spec = EMULATED_VENUES[venue];
      if (spec === undefined)
        throw new UsageError(
          `emulate: no emulator for venue "${venue}" (known: ${Object.keys(EMULATED_VENUES).join(", ")})`,
        );
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port must be an integer in [0, 65535], got "${opts.port}"`);
      const fund = opts.fund.map((f) => {
        const m = /^(.+)=(\d+(?:\.\d+)?)$/.exec(f);
        if (!m || !spec.account.test(m[1]))
          throw new UsageError(`--fund "${f}": expected <${spec.accountHint}>=<usdc>`);
        return { address: m[1], usdc: Number(m[2]) };
      });
      const emu = await spec.start({ port, mainnet: opts.mainnet, fund });
      process.stdout.write(`${emu.label} on ${emu.url}  ws ${emu.wsUrl}  markets ${emu.coins.join(", ")}\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await emu.close();
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
