import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { cleanEnv, PERPBOT_BIN } from "../testing/run-process.ts";

/**
 * `perpbot emulate aster` as a process: it prints its URLs, serves exchangeInfo with the three
 * funding intervals, funds the user given with --fund, and stops on SIGINT.
 */
test("perpbot emulate aster serves the venue on 127.0.0.1 and stops on SIGINT", async () => {
  const user = "0x00000000000000000000000000000000000000aa";
  const child = spawn(
    process.execPath,
    [
      PERPBOT_BIN,
      "emulate",
      "aster",
      "--port",
      "0",
      "--fund",
      `${user}:0x00000000000000000000000000000000000000bb=1000`,
    ],
    { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  try {
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start-up line: ${out}`)), 20_000);
      child.stdout.on("data", (b: Buffer) => {
        out += b.toString();
        const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    assert.match(out, /aster emulator .* markets BTCUSDT, ETHUSDT, SOLUSDT/);
    const info = (await (await fetch(`${url}/fapi/v3/fundingInfo`)).json()) as {
      symbol: string;
      fundingIntervalHours: number;
    }[];
    assert.deepEqual(
      info.map((f) => [f.symbol, f.fundingIntervalHours]),
      [
        ["BTCUSDT", 8],
        ["ETHUSDT", 4],
        ["SOLUSDT", 1],
      ],
    );
    const depth = (await (await fetch(`${url}/fapi/v3/depth?symbol=BTCUSDT&limit=5`)).json()) as {
      bids: unknown[];
    };
    assert.equal(depth.bids.length, 5, "a book around the mark");
  } finally {
    child.kill("SIGINT");
    assert.equal(await exited, 0);
  }
});
