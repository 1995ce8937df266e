import type { Command } from "commander";
import { recordableVenues, startRecording } from "../../app/record.ts";
import { PerpbotError } from "../../core/errors.ts";
import { loadCliConfig } from "../context.ts";
import { UsageError } from "../errors.ts";
import { parseNumberArg, parseRunDuration, parseStatusEvery } from "../time-arg.ts";

/**
 * `perpbot record --venue hyperliquid --symbols BTC,ETH --out DIR`: the venue's public market
 * channels into rotated gzip files of `<ts_ns> <json>` lines, until Ctrl-C, SIGTERM or
 * `--duration`; each file is finished (flushed, closed) before the process exits. Progress goes
 * to stderr; the endpoints are the config's `[venues.<venue>]` ones.
 */
export function registerRecord(program: Command): void {
  program
    .command("record")
    .description("record a venue's public market data (books, trades, BBO, asset contexts) to gzip files")
    .requiredOption("--venue <venue>", `the venue to record: ${recordableVenues().join(", ")}`)
    .requiredOption("--symbols <list>", "comma-separated coins as the venue names them, e.g. BTC,ETH")
    .requiredOption("--out <dir>", "folder for the recordings (created if missing)")
    .option("--rotate-mb <n>", "start a new file once the current one holds this many MB (compressed)")
    .option("--rotate-minutes <n>", "start a new file once the current one is this many minutes old")
    .option("--duration <seconds>", "stop by itself after this many seconds (default: until Ctrl-C)")
    .option("--status-every <seconds>", "seconds between progress lines on stderr", "5")
    .action(
      async (
        opts: {
          venue: string;
          symbols: string;
          out: string;
          rotateMb?: string;
          rotateMinutes?: string;
          duration?: string;
          statusEvery: string;
        },
        cmd: Command,
      ) => {
        if (opts.rotateMb !== undefined && opts.rotateMinutes !== undefined)
          throw new UsageError("--rotate-mb and --rotate-minutes: give one of them, not both");
        const rotateBytes =
          opts.rotateMb === undefined
            ? undefined
            : Math.round(
                parseNumberArg(opts.rotateMb, "--rotate-mb", { above: 0, max: 100_000 }) * 1024 * 1024,
              );
        const rotateMs =
          opts.rotateMinutes === undefined
            ? undefined
            : parseNumberArg(opts.rotateMinutes, "--rotate-minutes", { above: 0, max: 1_000_000 }) * 60_000;
        const duration = opts.duration === undefined ? undefined : parseRunDuration(opts.duration);
        const statusEvery = parseStatusEvery(opts.statusEvery);
        const symbols = [
          ...new Set(
            opts.symbols
              .split(",")
              .map((s) => s.trim())
              .filter((s) => s !== ""),
          ),
        ];
        const config = loadCliConfig(cmd);
        const say = (l: string) => process.stderr.write(`${l}\n`);
        // signals are caught before connecting, so one during start-up still ends cleanly
        let stopWhy: string | undefined;
        let wake: () => void = () => {};
        const stopped = new Promise<void>((resolve) => {
          wake = resolve;
        });
        const stop = (why: string) => {
          if (stopWhy !== undefined) {
            process.stderr.write(`perpbot record: second ${why}: exiting now\n`);
            process.exit(130);
          }
          stopWhy = why;
          wake();
        };
        const onInt = () => stop("SIGINT");
        const onTerm = () => stop("SIGTERM");
        process.on("SIGINT", onInt);
        process.on("SIGTERM", onTerm);
        try {
          const rec = await startRecording({
            config: config.values,
            venue: opts.venue,
            symbols,
            outDir: opts.out,
            rotateBytes,
            rotateMs,
            progressMs: statusEvery * 1000,
            progress: say,
          });
          say(
            `record: ${opts.venue} ${symbols.join(",")} from ${rec.url} into ${opts.out} (first file ${rec.currentFile()})`,
          );
          const timer =
            duration === undefined ? undefined : setTimeout(() => stop("duration"), duration * 1000);
          let failed: Error | undefined;
          await Promise.race([
            stopped,
            rec.failure.then((e) => {
              failed = e;
            }),
          ]);
          if (timer) clearTimeout(timer);
          if (failed !== undefined) {
            await rec.stop().catch(() => {});
            throw new PerpbotError(
              "record_failed",
              `record: stopped, a line could not be written: ${failed.message}`,
            );
          }
          say(`record: stopping (${stopWhy}), finishing the open file...`);
          const summary = await rec.stop();
          for (const f of summary.files) say(`record: ${f.path}: ${f.lines} lines, ${f.bytes} bytes`);
          say(
            `record: ${summary.messages} messages in ${summary.files.length} files${summary.gaps > 0 ? `, ${summary.gaps} gaps marked` : ""}`,
          );
        } finally {
          process.off("SIGINT", onInt);
          process.off("SIGTERM", onTerm);
        }
      },
    );
}
