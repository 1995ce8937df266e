import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { gzipSync } from "node:zlib";
import { readLineBatches, splitRecordedLine } from "../data/replay/lines.ts";
import { replayRecording } from "../data/replay/replay.ts";
import { startCli } from "../testing/cli-run.ts";
import { startHyperliquidEmulator } from "../venues/hyperliquid/emulator/start.ts";

/**
 * `perpbot record` as a user runs it, a child process, against the Hyperliquid emulator on
 * loopback: the test drives the emulator's books and prints trades so messages flow, drops every
 * socket once (the recorder reconnects and marks the gap), the files rotate by size, SIGTERM ends
 * it mid-run; then every file is read back with the replay reader and the count of each channel
 * equals what the emulator sent. A farm backtest then runs on the recorded folder.
 */
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function workDir(url: string, extra: string[] = []): string {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-record-"));
  dirs.push(cwd);
  writeFileSync(join(cwd, "perpbot.toml"), ["[venues.hyperliquid]", `url = "${url}"`, ...extra].join("\n"));
  return cwd;
}

const CHANNELS = ["subscriptionResponse", "l2Book", "bbo", "trades", "activeAssetCtx"];

test("perpbot record: rotates, survives a dropped socket, SIGTERM leaves complete files replay reads without loss", async () => {
  const emu = await startHyperliquidEmulator({ hourlyFunding: false });
  try {
    emu.driver.setBook({ coin: "BTC", bidPx: 97_000, askPx: 97_001, sz: 2, levels: 10, stepPx: 1 });
    emu.driver.setBook({ coin: "ETH", bidPx: 3_000, askPx: 3_000.1, sz: 20, levels: 10, stepPx: 0.1 });
    const cwd = workDir(emu.url, [
      "[farm]",
      'mode = "same_venue"',
      'markets = ["BTC"]',
      "min_group_size = 3",
      "max_group_size = 3",
      "check_interval_seconds = 1",
    ]);
    const out = join(cwd, "rec");
    const rec = startCli(
      cwd,
      [
        "record",
        "--venue",
        "hyperliquid",
        "--symbols",
        "BTC,ETH",
        "--out",
        out,
        "--rotate-mb",
        "0.01",
        "--status-every",
        "1",
      ],
      (_o, err) => /first file/.test(err),
    );
    await rec.ready;
    const drive = async (rounds: number, from: number) => {
      for (let i = from; i < from + rounds; i++) {
        const btc = 97_000 + (i % 40);
        emu.driver.setBook({
          coin: "BTC",
          bidPx: btc,
          askPx: btc + 1,
          sz: 1 + (i % 7) / 10,
          levels: 10,
          stepPx: 1,
        });
        emu.driver.setBook({
          coin: "ETH",
          bidPx: 3_000 + (i % 9) / 10,
          askPx: 3_001,
          sz: 5,
          levels: 10,
          stepPx: 0.1,
        });
        if (i % 5 === 0)
          emu.driver.printTrade({ coin: "BTC", side: i % 2 ? "buy" : "sell", px: btc, sz: "0.01" });
        await sleep(5);
      }
    };
    await drive(150, 0);
    // everything sent is delivered before the drop: the count compares what reached the socket
    await sleep(500);
    emu.driver.dropSockets();
    const reconnected = Date.now();
    while (!/reconnected/.test(rec.err()) && Date.now() - reconnected < 10_000) await sleep(50);
    assert.match(rec.err(), /reconnected; the gap is marked/);
    await drive(150, 150);
    await sleep(1500);
    assert.match(
      rec.err(),
      /record: \d+\.\d msg\/s, \d+ messages, file .*hyperliquid_BTC-ETH_\d{8}T\d{6}Z_\d{4}\.gz \d/,
    );
    await sleep(500);
    rec.child.kill("SIGTERM");
    const exit = await rec.exited;
    assert.equal(exit.code, 0, rec.err());

    const names = readdirSync(out).sort();
    assert.deepEqual(
      names.filter((n) => !n.endsWith(".gz")),
      [],
      "no .part left: every file was finished",
    );
    assert.ok(names.length >= 2, `rotated at least once: ${names.join(", ")}`);
    for (const n of names) assert.match(n, /^hyperliquid_BTC-ETH_\d{8}T\d{6}Z_\d{4}\.gz$/);

    const counted = new Map<string, number>();
    let gaps = 0;
    let headers = 0;
    let books = 0;
    let tradeRows = 0;
    let lastNs = 0n;
    for (const n of names) {
      for await (const batch of readLineBatches(join(out, n))) {
        for (const line of batch) {
          const split = splitRecordedLine(line);
          assert.notEqual(typeof split, "string", line.slice(0, 80));
          const ns = BigInt(line.slice(0, line.indexOf(" ")));
          assert.ok(ns >= lastNs, "receive times never go back");
          lastNs = ns;
          const msg = JSON.parse((split as { json: string }).json) as { channel: string; data: unknown };
          if (msg.channel === "perpbotRecorder") {
            const ev = (msg.data as { event: string }).event;
            if (ev === "gap") gaps++;
            if (ev === "file") headers++;
            continue;
          }
          counted.set(msg.channel, (counted.get(msg.channel) ?? 0) + 1);
          if (msg.channel === "l2Book") books++;
          if (msg.channel === "trades") tradeRows += (msg.data as unknown[]).length;
        }
      }
      // the replay reader takes every file whole: nothing malformed, a book per l2Book line
    }
    assert.equal(headers, names.length, "every file starts with what it holds");
    assert.equal(gaps, 1, "the reconnect's gap is marked once");
    for (const ch of CHANNELS)
      assert.equal(
        counted.get(ch) ?? 0,
        emu.driver.messagesSent(ch),
        `${ch}: recorded = sent by the emulator`,
      );
    assert.ok(books > 300 && tradeRows >= 60, `messages flowed: ${books} books, ${tradeRows} trades`);

    let replayedBooks = 0;
    let replayedTrades = 0;
    let malformed = 0;
    for (const n of names) {
      const stats = await replayRecording(
        { path: join(out, n), format: "hyperliquid", venue: "hyperliquid" },
        () => {},
      );
      replayedBooks += stats.byKind.book;
      replayedTrades += stats.byKind.trade;
      malformed += stats.malformed;
    }
    assert.equal(malformed, 0);
    assert.equal(replayedBooks, books, "replay reads a book from every recorded l2Book line");
    assert.equal(replayedTrades, tradeRows, "and every recorded trade");

    // a short farm backtest over the recorded folder: it trades at the recorded prices
    const bt = startCli(cwd, ["backtest", "farm", "--data", out, "--json"], () => false, {
      timeoutMs: 120_000,
    });
    const btExit = await bt.exited;
    assert.equal(btExit.code, 0, bt.err());
    const report = JSON.parse(bt.out()) as {
      groups: number;
      volumeUsd: number;
      perVenue: { venue: string }[];
      assumptions: string[];
    };
    assert.match(
      report.assumptions[0],
      new RegExp(`${names.length} files, \\d+ lines, \\d+ events replayed, 0 malformed`),
    );
    assert.ok(
      report.groups >= 1 && report.volumeUsd > 0,
      `the farm traded on the recording: ${bt.out().slice(0, 400)}`,
    );
    assert.deepEqual(
      report.perVenue.map((v) => v.venue),
      ["hyperliquid"],
    );
  } finally {
    await emu.close();
  }
});

test("perpbot record: an unknown venue, an unknown symbol and an unwritable folder each name the flag", async () => {
  const emu = await startHyperliquidEmulator({ hourlyFunding: false });
  try {
    const cwd = workDir(emu.url);
    const run = async (args: string[]) => {
      const r = startCli(cwd, ["record", "--duration", "5", ...args], () => false);
      const e = await r.exited;
      return { code: e.code, err: r.err() };
    };
    const venue = await run(["--venue", "binance", "--symbols", "BTC", "--out", join(cwd, "a")]);
    assert.equal(venue.code, 2);
    assert.match(venue.err, /--venue: cannot record venue "binance" \(recordable: hyperliquid\)/);
    const sym = await run(["--venue", "hyperliquid", "--symbols", "BTC,DOGEX", "--out", join(cwd, "b")]);
    assert.equal(sym.code, 2);
    assert.match(sym.err, /--symbols: "DOGEX" is not listed on hyperliquid/);
    assert.deepEqual(readdirSync(join(cwd, "b")), [], "nothing written for a refused symbol");
    // a folder under a file cannot be made (root may write anywhere else)
    writeFileSync(join(cwd, "plain"), "");
    const under = await run(["--venue", "hyperliquid", "--symbols", "BTC", "--out", join(cwd, "plain", "x")]);
    assert.equal(under.code, 2);
    assert.match(under.err, /--out .*plain\/x: cannot write recordings there \(ENOTDIR\)/);
    if (process.getuid?.() === 0) {
      process.stdout.write("# skipped the read-only folder case: root writes to any folder\n");
    } else {
      const locked = join(cwd, "locked");
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      const dir = await run(["--venue", "hyperliquid", "--symbols", "BTC", "--out", locked]);
      assert.equal(dir.code, 2);
      assert.match(dir.err, /--out .*locked: cannot write recordings there \(EACCES\)/);
      chmodSync(locked, 0o700);
    }
    const both = await run([
      "--venue",
      "hyperliquid",
      "--symbols",
      "BTC",
      "--out",
      cwd,
      "--rotate-mb",
      "1",
      "--rotate-minutes",
      "5",
    ]);
    assert.equal(both.code, 2);
    assert.match(both.err, /--rotate-mb and --rotate-minutes: give one of them/);
    assert.equal(emu.driver.connections(), 0, "no socket left open");

    // backtest --data: a path that is not there, and a recording that is not perpbot record's
    const bt = async (data: string) => {
      const r = startCli(cwd, ["backtest", "farm", "--data", data], () => false);
      return { code: (await r.exited).code, err: r.err() };
    };
    const missing = await bt(join(cwd, "nothing-here"));
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--data .*nothing-here: no such file or folder/);
    writeFileSync(join(cwd, "foreign.gz"), gzipSync('1737918843893903000 {"channel":"l2Book","data":{}}\n'));
    const foreign = await bt(join(cwd, "foreign.gz"));
    assert.equal(foreign.code, 2);
    assert.match(
      foreign.err,
      /--data .*foreign\.gz: neither perpbot record's header .* nor Hyperliquid l2Book lines/,
    );
  } finally {
    await emu.close();
  }
});

// ../shared/data beside the checkout, or PERPBOT_SHARED_DATA (a worktree has none beside it)
const SHARED = process.env.PERPBOT_SHARED_DATA ?? join(import.meta.dirname, "../../../shared/data");
const SHARED_HL = join(SHARED, "hyperliquid-btcusd_20250126.gz");

test("backtest farm --data on ../shared's Hyperliquid recording (no header): instruments guessed from its books, the farm trades", {
  skip: existsSync(SHARED_HL) ? false : `${SHARED_HL} is absent (set PERPBOT_SHARED_DATA)`,
}, async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-record-"));
  dirs.push(cwd);
  writeFileSync(
    join(cwd, "perpbot.toml"),
    [
      "[sim]",
      "wallets = 4",
      "[farm]",
      'mode = "same_venue"',
      'markets = ["BTC"]',
      "min_group_size = 3",
      "max_group_size = 3",
      "check_interval_seconds = 1",
    ].join("\n"),
  );
  const bt = startCli(cwd, ["backtest", "farm", "--data", SHARED_HL, "--json"], () => false, {
    timeoutMs: 120_000,
  });
  assert.equal((await bt.exited).code, 0, bt.err());
  const report = JSON.parse(bt.out()) as {
    groups: number;
    volumeUsd: number;
    start: string;
    assumptions: string[];
  };
  assert.equal(report.start, "2025-01-26T19:14:03.893Z", "the clock starts at the recording's first line");
  assert.match(report.assumptions[0], /1 files, 55 lines, \d+ events replayed, 0 malformed/);
  assert.ok(
    report.assumptions.some((a) => /instruments guessed from its books/.test(a)),
    report.assumptions.join("\n"),
  );
  assert.ok(report.groups >= 1 && report.volumeUsd > 0, bt.out().slice(0, 400));
});
