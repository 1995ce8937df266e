import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { parse as parseToml } from "smol-toml";
import { PerpbotError } from "../core/errors.ts";
import { reportError, UsageError } from "./errors.ts";

/** The real CLI, run as a child process from a temp working directory. */
const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));

const dirs: string[] = [];
function tempCwd(): string {
  const d = mkdtempSync(join(tmpdir(), "perpbot-cli-"));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Env for the child: the parent's, minus any PERPBOT__ settings that would leak into the test. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT__")) env[k] = v;
  return { ...env, ...extra };
}

function perpbot(cwd: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: cleanEnv(env),
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("perpbot CLI", () => {
  test("--help lists the commands and exits 0", () => {
    const r = perpbot(tempCwd(), ["--help"]);
    assert.equal(r.code, 0);
    for (const cmd of ["init", "config", "db"]) assert.match(r.stdout, new RegExp(`^\\s+${cmd}\\b`, "m"));
    assert.match(r.stdout, /--live/);
  });

  test("a usage error exits 2", () => {
    const unknownOption = perpbot(tempCwd(), ["--bogus"]);
    assert.equal(unknownOption.code, 2);
    assert.match(unknownOption.stderr, /unknown option '--bogus'/);
    assert.equal(perpbot(tempCwd(), ["no-such-command"]).code, 2);
  });

  test("three mistakes, one from env: one message naming all three, exit 2, nothing written", () => {
    const cwd = tempCwd();
    writeFileSync(join(cwd, "perpbot.toml"), '[sim]\nwallets = "many"\n\n[log]\nlevle = "debug"\n');
    const r = perpbot(cwd, ["db", "check"], { PERPBOT__SIM__LATENCY_MS: "-5" });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^perpbot: invalid configuration \(3 problems\):/);
    assert.match(r.stderr, /sim\.wallets: .*\(perpbot\.toml\)/);
    assert.match(r.stderr, /log\.levle: unknown key \(perpbot\.toml\)/);
    assert.match(r.stderr, /sim\.latency_ms: .*\(env PERPBOT__SIM__LATENCY_MS\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace for a config error");
    assert.deepEqual(readdirSync(cwd), ["perpbot.toml"], "no data dir, no database, no logs");
  });

  test("the same command with a valid config does create the store (so the test above can fail)", () => {
    const cwd = tempCwd();
    const r = perpbot(cwd, ["db", "check"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /store sqlite:\.\/data\/perpbot\.db \(sqlite\): ok/);
    assert.ok(existsSync(join(cwd, "data", "perpbot.db")));
  });

  test("a TOML syntax error names line and column, exit 2", () => {
    const cwd = tempCwd();
    writeFileSync(join(cwd, "perpbot.toml"), "[sim]\nwallets = 12\nseed = \n");
    const r = perpbot(cwd, ["config", "show"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /TOML syntax error at line 3, column \d+/);
  });

  test("init writes an example that loads to the defaults, refuses to overwrite, and --force does", () => {
    const cwd = tempCwd();
    const first = perpbot(cwd, ["init"]);
    assert.equal(first.code, 0, first.stderr);
    const file = join(cwd, "perpbot.toml");
    const text = readFileSync(file, "utf8");
    assert.doesNotThrow(() => parseToml(text));
    for (const key of ["mode", "url", "venues", "latency_ms", "reject_rate", "path"]) {
      assert.match(text, new RegExp(`^# ${key} = `, "m"), `${key} missing from the example`);
    }

    const shown = perpbot(cwd, ["config", "show", "--json"]);
    assert.equal(shown.code, 0, shown.stderr);
    const { origins } = JSON.parse(shown.stdout) as { origins: Record<string, string> };
    assert.ok(
      Object.values(origins).every((o) => o === "default"),
      "the example changes nothing",
    );

    writeFileSync(file, 'mode = "paper"\n');
    const again = perpbot(cwd, ["init"]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists; use --force/);
    assert.equal(readFileSync(file, "utf8"), 'mode = "paper"\n', "the existing file is untouched");

    assert.equal(perpbot(cwd, ["init", "--force"]).code, 0);
    assert.equal(readFileSync(file, "utf8"), text);
  });

  test("init honours --config", () => {
    const cwd = tempCwd();
    assert.equal(perpbot(cwd, ["--config", "other.toml", "init"]).code, 0);
    assert.ok(existsSync(join(cwd, "other.toml")));
    assert.ok(!existsSync(join(cwd, "perpbot.toml")));
  });

  test("config show prints values with their origins and masks the store password", () => {
    const cwd = tempCwd();
    writeFileSync(join(cwd, "custom.toml"), "[sim]\nwallets = 40\n");
    const r = perpbot(cwd, ["--config", "custom.toml", "config", "show"], {
      PERPBOT__STORE__URL: "postgres://bot:Sup3rS3cret@127.0.0.1:5432/perp",
      PERPBOT__LOG__MODULES__engine: "debug",
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^sim\.wallets = 40\s+# file .*custom\.toml$/m);
    assert.match(r.stdout, /^sim\.seed = 1\s+# default$/m);
    assert.match(r.stdout, /^log\.modules\.engine = "debug"\s+# env PERPBOT__LOG__MODULES__engine$/m);
    assert.match(r.stdout, /^store\.url = "postgres:\/\/bot:\*\*\*\*@127\.0\.0\.1:5432\/perp"/m);
    assert.ok(!r.stdout.includes("Sup3rS3cret") && !r.stderr.includes("Sup3rS3cret"));
  });

  test("an unknown PERPBOT__ variable is an error", () => {
    const r = perpbot(tempCwd(), ["config", "show"], { PERPBOT__SIM__WALLET: "3" });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /sim\.wallet: unknown key \(env PERPBOT__SIM__WALLET\)/);
  });

  test("an unreachable PostgreSQL store is a one-line error without the password, exit 1", () => {
    const r = perpbot(tempCwd(), ["db", "check"], {
      PERPBOT__STORE__URL: "postgres://bot:Sup3rS3cret@127.0.0.1:1/perp",
    });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^perpbot: cannot connect to PostgreSQL at postgres:\/\/bot:\*\*\*\*@127\.0\.0\.1:1\/perp/,
    );
    assert.ok(!r.stderr.includes("Sup3rS3cret"));
  });
});

describe("reportError", () => {
  function capture(err: unknown): { code: number; text: string } {
    let text = "";
    const code = reportError(err, { write: (s: string) => (text += s) });
    return { code, text };
  }

  test("a user error prints one line and uses its exit code", () => {
    assert.deepEqual(capture(new UsageError("bad flag")), { code: 2, text: "perpbot: bad flag\n" });
    // how another module's error picks its own code: an exitCode field on a PerpbotError
    class PasswordError extends PerpbotError {
      readonly exitCode = 3;
      constructor(message: string) {
        super("bad_password", message);
      }
    }
    assert.equal(capture(new PasswordError("wrong password")).code, 3);
  });

  test("an unexpected error prints its stack and exits 1", () => {
    const r = capture(new TypeError("x is undefined"));
    assert.equal(r.code, 1);
    assert.match(r.text, /unexpected error/);
    assert.match(r.text, /TypeError: x is undefined\n\s+at /);
  });
});
