import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

/**
 * A hedged maker from perpbot.toml in `perpbot run` (paper): quotes on simA, hedges on simB, its
 * status line printed; a bad key of the instance is refused before anything starts.
 */
const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT")) env[k] = v;
  return env;
}

const CONFIG = (extra: string) => `
[sim]
wallets = 1

[strategies.hm]
kind = "hedged_maker"
venue = "simA"
hedge_venue = "simB"
markets = ["ETH"]
quantity = 0.01
min_profit_bps = -50
${extra}
`;

function run(cwd: string, until: (out: string) => boolean, timeoutMs = 40_000) {
  const child = spawn(process.execPath, [BIN, "run", "--status-every", "1"], { cwd, env: cleanEnv() });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let stopped = false;
  const stop = () => {
    if (!stopped) child.kill("SIGINT");
    stopped = true;
  };
  return new Promise<{ out: string; err: string; code: number | null }>((resolve) => {
    const t = setTimeout(stop, timeoutMs);
    child.stdout.on("data", (d) => {
      out += d;
      if (until(out)) {
        clearTimeout(t);
        stop();
      }
    });
    void exited.then((code) => {
      clearTimeout(t);
      resolve({ out, err, code });
    });
  });
}

test("perpbot run: a hedged_maker instance from the config file quotes on simA and reports its hedges on simB", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-hm-run-"));
  dirs.push(cwd);
  writeFileSync(join(cwd, "perpbot.toml"), CONFIG(""));
  const r = await run(cwd, (o) =>
    /hedged_maker hm: 1 lane, quotes on simA, hedges on simB[\s\S]*(buy|sell) \d+ lots @\d+/.test(o),
  );
  assert.equal(r.code, 0, r.err);
  // the lane's line: phase, both positions, the quote (0.01 ETH = 100 of simA's lots), the hedge figures
  assert.match(
    r.out,
    /paper-01 simA\/simB ETH: (buy|sell) A -?[\d.]+ B -?[\d.]+, (buy|sell) 100 lots @\d+ .*fills \d+ hedged by \d+ {2}residue /,
  );
});

test("perpbot run: a hedged_maker whose hedge_venue is its quote venue is refused, naming the key", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-hm-run-"));
  dirs.push(cwd);
  writeFileSync(
    join(cwd, "perpbot.toml"),
    CONFIG("").replace('hedge_venue = "simB"', 'hedge_venue = "simA"'),
  );
  const r = await run(cwd, () => false, 20_000);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /strategies\.hm\.hedge_venue.*must differ from venue/);
});
