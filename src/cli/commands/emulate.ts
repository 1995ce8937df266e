import type { Command } from "commander";
import { startEmulator } from "../../app/emulate.ts";
import { UsageError } from "../errors.ts";

/**
 * `perpbot emulate hyperliquid [--port N]`: a local Hyperliquid (HTTP /info and /exchange, the
 * WebSocket at /ws) on 127.0.0.1, backed by the simulated exchange core, until Ctrl-C.
 */
export function registerEmulate(program: Command): void {
  program
    .command("emulate")
    .description("run a local venue emulator (Hyperliquid) on 127.0.0.1 until Ctrl-C")
    .argument("<venue>", "the venue to emulate: hyperliquid")
    .option("--port <n>", "port to listen on (0: any free port)", "0")
    .option("--mainnet", "accept mainnet signatures instead of testnet ones")
    .option("--fund <address=usdc...>", "fund accounts at start, e.g. 0xabc…=10000", collect, [])
    .action(async (venue: string, opts: { port: string; mainnet?: boolean; fund: string[] }) => {
      if (venue !== "hyperliquid")
        throw new UsageError(`emulate: no emulator for venue "${venue}" (only: hyperliquid)`);
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port must be an integer in [0, 65535], got "${opts.port}"`);
      const fund = opts.fund.map((f) => {
        const m = /^(0x[0-9a-fA-F]{40})=(\d+(?:\.\d+)?)$/.exec(f);
        if (!m) throw new UsageError(`--fund "${f}": expected <0x address>=<usdc>`);
        return { address: m[1], usdc: Number(m[2]) };
      });
      const emu = await startEmulator({ port, mainnet: opts.mainnet, fund });
      process.stdout.write(
        `hyperliquid emulator (${opts.mainnet ? "mainnet" : "testnet"} signatures) on ${emu.url}  ws ${emu.wsUrl}  coins ${emu.coins.join(", ")}\n`,
      );
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
