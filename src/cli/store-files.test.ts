import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { SimClock } from "../core/clock.ts";
import { usd } from "../core/money.ts";
import { openStore } from "../store/store.ts";
import { catalogInstruments } from "../venues/sim/catalog.ts";
import { SimVenue } from "../venues/sim/sim-venue.ts";

/**
 * D8 and D17 of issue 10, through the real CLI: a damaged, foreign or read-only perpbot.db or
 * sim.db is one line naming the file, what is wrong and what to do (exit 6), never "a bug";
 * a command that only reads finds no store in an empty directory and writes nothing (exit 7).
 */

const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "perpbot-files-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Tests run as root, where a read-only mode stops nothing: the CLI then runs as `nobody`. */
const AS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

function perpbot(cwd: string, args: string[], options: { unprivileged?: boolean } = {}) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT__")) env[k] = v;
  const ids = options.unprivileged && AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {};
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env,
    encoding: "utf8",
    timeout: 60_000,
    ...ids,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function freshDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  // `nobody` must reach the directory (root's temp directories are 0700)
  chmodSync(root, 0o755);
  chmodSync(dir, 0o777);
  return dir;
}

/** One line on stderr, no stack, none of the "bug" wording. */
function assertOneLine(stderr: string): void {
  assert.doesNotMatch(stderr, /unexpected error|a bug|\n\s+at /, stderr);
  assert.equal(stderr.trim().split("\n").length, 1, stderr);
}

let goodStore: string;
let goodSim: string;

before(async () => {
  // a real store, migrated and with a row in it, and a real sim.db with an account
  const dir = freshDir("seed");
  goodStore = join(dir, "perpbot.db");
  const store = await openStore(`sqlite:${goodStore}`);
  await store.kv.put("seed", "1", 1);
  await store.close();
  goodSim = join(dir, "sim.db");
  const venue = new SimVenue({
    id: "simA",
    instruments: catalogInstruments("simA"),
    clock: new SimClock(0),
    dbPath: goodSim,
  });
  venue.deposit("w1", usd(1000));
  await venue.close();
});

describe("D17: commands that only read create nothing", () => {
  for (const command of ["status", "alerts", "trades"]) {
    test(`${command} in an empty directory says "no store at …", exits 7 and writes nothing`, () => {
      const dir = freshDir(`empty-${command}`);
      const r = perpbot(dir, [command]);
      assert.equal(r.code, 7, r.stderr);
      assert.match(r.stderr, new RegExp(`no store at ${join(dir, "data", "perpbot.db")}`));
      assertOneLine(r.stderr);
      assert.deepEqual(readdirSync(dir), [], "nothing may be created");
    });
  }
});

describe("D8: damaged store files", () => {
  const cases: { name: string; damage: (file: string) => void; problem: RegExp }[] = [
    { name: "truncated", damage: (f) => truncateSync(f, 20_000), problem: /is damaged.*truncated/ },
    {
      name: "overwritten",
      damage: (f) => writeFileSync(f, "these are not the bytes of a database\n".repeat(200)),
      problem: /is not a SQLite database/,
    },
  ];
  for (const c of cases) {
    for (const command of [["db", "check"], ["status"], ["trades"]]) {
      test(`a ${c.name} perpbot.db: perpbot ${command.join(" ")} names it and exits 6`, () => {
        const dir = freshDir(`store-${c.name}-${command.join("-")}`);
        mkdirSync(join(dir, "data"));
        const file = join(dir, "data", "perpbot.db");
        copyFileSync(goodStore, file);
        c.damage(file);
        const r = perpbot(dir, command);
        assert.equal(r.code, 6, r.stderr);
        assert.match(r.stderr, new RegExp(`store ${file}: `));
        assert.match(r.stderr, c.problem);
        assert.match(r.stderr, /mv .*perpbot\.db .*perpbot\.db\.damaged/, "says what to do");
        assertOneLine(r.stderr);
      });
    }
    test(`a ${c.name} sim.db: perpbot run names it and exits 6`, () => {
      const dir = freshDir(`sim-${c.name}`);
      mkdirSync(join(dir, "data"));
      const file = join(dir, "data", "sim.db");
      copyFileSync(goodSim, file);
      c.damage(file);
      const r = perpbot(dir, ["run", "--duration", "1"]);
      assert.equal(r.code, 6, r.stderr);
      assert.match(r.stderr, /sim venue simA's state .*sim\.db: /);
      assert.match(r.stderr, c.problem);
      assertOneLine(
        r.stderr
          .split("\n")
          .filter((l) => !/^\d\d:\d\d:\d\d\.\d+ /.test(l))
          .join("\n"),
      );
    });
  }
});

describe("D8: a read-only data directory", () => {
  // as root the CLI runs as `nobody`, for whom the root-owned 0555 directory is read-only
  const dir = freshDir("readonly");
  before(() => {
    mkdirSync(join(dir, "data"));
    copyFileSync(goodStore, join(dir, "data", "perpbot.db"));
    chmodSync(join(dir, "data", "perpbot.db"), 0o444);
    chmodSync(join(dir, "data"), 0o555);
  });
  after(() => chmodSync(join(dir, "data"), 0o755));

  test("status reads the store all the same", () => {
    const r = perpbot(dir, ["status", "--json"], { unprivileged: true });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).tradingState, "ACTIVE");
    assert.deepEqual(readdirSync(join(dir, "data")), ["perpbot.db"], "no -wal or -shm left behind");
  });

  test("run says the store cannot be written, exits 6", () => {
    const r = perpbot(dir, ["run", "--duration", "1"], { unprivileged: true });
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /cannot (write|mkdir)/);
    assert.match(r.stderr, /writable/);
    assertOneLine(r.stderr);
  });

  test("nothing was written", () => {
    assert.equal(existsSync(join(dir, "data", "logs")), false);
  });
});
