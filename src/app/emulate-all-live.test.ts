import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { FAST_KDF } from "../testing/keystore.ts";
import { LIVE_PW, NINE_VENUES as NINE, perpbotCli } from "../testing/live-cli.ts";
import { venueFactory } from "../venues/registry.ts";
import {
  closeAllEmulators,
  type StartedEmulator,
  startAllEmulators,
  type WrittenConfig,
  writeEmulatorConfig,
} from "./emulate-all.ts";

/**
 * `perpbot emulate all --write-config` end to end: every emulator started, the config and
 * keystore written for the venues with a live connector, then the real CLI as a user runs it:
 * `perpbot doctor` passes for all nine venues, and `perpbot run --live` opens one cross-venue
 * pair in every farm instance (a ring: each venue paired with the next, nine instances), each
 * long on one venue and short on the other, so every venue trades; with --flatten-on-exit
 * every emulated account ends flat. A venue that drops out of the config fails the test.
 */
const PW = LIVE_PW;
let dir = "";
let started: StartedEmulator[] = [];
let written: WrittenConfig;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "perpbot-emulate-all-"));
  started = await startAllEmulators();
  written = await writeEmulatorConfig(started, {
    file: join(dir, "perpbot.toml"),
    keystorePath: join(dir, "data", "keystore.json"),
    password: PW,
    kdf: FAST_KDF,
    usdc: 10_000,
  });
});

const configText = () => readFileSync(join(dir, "perpbot.toml"), "utf8");

after(async () => {
  await closeAllEmulators(started);
  rmSync(dir, { recursive: true, force: true });
});

test("the written config: a venue table per live connector, the others left out with a reason", () => {
  assert.deepEqual([...written.venues].sort(), [...NINE].sort(), "all nine venues in the config");
  for (const s of written.skipped) assert.ok(!written.venues.includes(s.kind) && s.why.length > 0);
  assert.equal(
    written.venues.length + written.skipped.length,
    started.length,
    "every emulator is one or the other",
  );
  const n = written.venues.length;
  assert.equal(written.farms.length, n, "a ring: one farm instance per venue and the next");
  assert.equal(written.wallets.length, 2 * n, "two wallets per instance");
  for (const k of NINE)
    assert.equal(written.farms.filter((f) => f.venues.includes(k)).length, 2, `${k} in two instances`);
  assert.match(
    configText(),
    /\[engine\]\nsend_expiry_ms = 60000/,
    "Hibachi's floor and GRVT's ceiling at once",
  );
  const text = readFileSync(join(dir, "perpbot.toml"), "utf8");
  assert.doesNotMatch(text, /passphrase\s*=/, "EdgeX's passphrase is in the keystore, not the config");
  for (const s of started) {
    const has = text.includes(`[venues.${s.kind}]`);
    assert.equal(has, written.venues.includes(s.kind), s.kind);
    if (has) assert.ok(text.includes(s.emulator.url), `${s.kind} points at its emulator`);
  }
  assert.ok(!text.includes(PW), "no password in the config");
  assert.deepEqual(written.openPositions(), [], "nothing open before the run");
});

test("perpbot doctor with the written config passes for all nine venues", async () => {
  const run = perpbotCli(dir, ["doctor", "--json"]);
  assert.equal(await run.exited, 0, `${run.out()}\n${run.err()}`);
  const report = JSON.parse(run.out()) as {
    ok: boolean;
    checks: { venue: string; wallet: string | null; check: string; status: string; detail: string }[];
  };
  assert.equal(report.ok, true);
  assert.deepEqual(
    report.checks.filter((c) => c.status === "fail"),
    [],
  );
  for (const kind of NINE)
    assert.ok(
      report.checks.some((c) => c.venue === kind && c.status === "ok"),
      `${kind}: doctor checked it`,
    );
  for (const kind of written.venues) {
    const rows = report.checks.filter((c) => c.venue === kind);
    const wallets = written.farms.filter((f) => f.venues.includes(kind)).flatMap((f) => f.wallets);
    for (const w of wallets)
      assert.ok(
        rows.some((c) => c.wallet === w && c.check === "keys" && c.status === "ok"),
        `${kind} ${w}: the key decrypts`,
      );
    // every live venue has doctor checks: none is left at a "no doctor checks yet" skip row
    assert.ok(venueFactory(kind).doctor !== undefined, `${kind}: has doctor checks`);
    assert.deepEqual(
      rows.filter((c) => c.status === "skip" && c.wallet === null),
      [],
      `${kind}: no venue-wide skip row`,
    );
    assert.ok(
      rows.some((c) => c.check === "reachable" && c.status === "ok"),
      `${kind} reachable`,
    );
    for (const w of wallets)
      assert.ok(
        rows.some((c) => c.wallet === w && c.check === "balance" && c.status === "ok"),
        `${kind} ${w}: a balance\n${JSON.stringify(rows.filter((c) => c.wallet === w))}`,
      );
  }
});

/** The latest "N groups open" of each farm instance in the status lines. */
function openByInstance(out: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of out.matchAll(/^\[([a-z0-9_]+)\] farm: (\d+) groups? open/gm)) m.set(x[1], Number(x[2]));
  return m;
}

test("perpbot run --live farms a cross-venue pair in every ring instance, all nine venues trade, and ends flat", async () => {
  const run = perpbotCli(dir, [
    "run",
    "--live",
    "--status-every",
    "1",
    "--flatten-on-exit",
    "--duration",
    "240",
  ]);
  try {
    await run.until((out) => {
      const open = openByInstance(out);
      return written.farms.every((f) => (open.get(f.name) ?? 0) >= 1);
    }, 150_000);
    assert.match(run.out(), /perpbot LIVE: /);
    const open = written.openPositions();
    for (const f of written.farms) {
      const legs = open.filter((p) => f.wallets.includes(p.wallet));
      const venues = new Set(legs.map((p) => p.venue));
      assert.deepEqual(
        [...venues].sort(),
        [...f.venues].sort(),
        `${f.name}: a leg on each venue: ${JSON.stringify(legs)}`,
      );
      const [longOn, shortOn] = f.venues;
      assert.ok(
        legs.some((p) => p.venue === longOn && Number(p.size) > 0) &&
          legs.some((p) => p.venue === shortOn && Number(p.size) < 0) &&
          legs.every((p) => (p.venue === longOn) === Number(p.size) > 0),
        `${f.name}: long on ${longOn}, short on ${shortOn}: ${JSON.stringify(legs)}`,
      );
      const net = legs.reduce((a, p) => a + Number(p.size), 0);
      // the farm's bound on a group's net delta is max_imbalance_usd ($2) at about 97 000
      assert.ok(Math.abs(net) * 97_000 <= 2 + 1e-6, `${f.name}: net ${net} within $2`);
    }
    for (const k of NINE) {
      const mine = open.filter((p) => p.venue === k).map((p) => Number(p.size));
      assert.ok(
        mine.some((x) => x > 0) && mine.some((x) => x < 0),
        `${k} traded long in one instance and short in another: ${mine}`,
      );
    }
    run.interrupt();
    assert.equal(await run.exited, 0, run.err().slice(-3000));
    assert.match(run.out(), /stopped; state saved/);
    assert.deepEqual(
      written.openPositions(),
      [],
      `--flatten-on-exit closed every leg\n${run.err().slice(-3000)}`,
    );
  } finally {
    run.interrupt();
  }
});
