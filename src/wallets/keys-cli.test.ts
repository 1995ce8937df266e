import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { keystoreSecretForms } from "./keystore.ts";
import { encryptSecret } from "./payload.ts";

/** `perpbot keys …` end to end: the real CLI as a child process, in a temp working directory. */
const BIN = fileURLToPath(new URL("../cli/bin.ts", import.meta.url));

const IMPORT_PW = "pässwörd 🔑 seed-000";
const KEYSTORE_PW = "keystore pw ✓ 42";
const FAST = ["--kdf-memory", "64", "--kdf-iterations", "1"];
const LIGHTER_KEY = "ab".repeat(40);

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "perpbot-keys-"));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function perpbot(cwd: string, args: string[], env: Record<string, string> = {}, input?: string) {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT")) clean[k] = v;
  const r = spawnSync(process.execPath, [BIN, "keys", ...args], {
    cwd,
    env: { ...clean, ...env },
    encoding: "utf8",
    input: input ?? "",
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A seed-000 `api-keys.json`. w02's private_key is the independent test vector of payload.test.ts
 * (Argon2id from @noble/hashes, AES-GCM from Python `cryptography`), so this import proves that a
 * payload made outside this code base comes over. Addresses: private key 1 and 2 as listed by
 * every Ethereum explorer; 0x4c08… is the web3.js docs' privateKeyToAccount example.
 */
const EXPECTED = {
  w01: "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf",
  w02: "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",
  w03: "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF",
};
let seedFile = "";
before(async () => {
  const k = (n: number) => Buffer.from(n.toString(16).padStart(64, "0"), "hex");
  const seed = {
    w01: { private_key: await encryptSecret(k(1), IMPORT_PW) },
    w02: {
      private_key:
        "AQABAgMEBQYHCAkKCwwNDg+goaKjpKWmp6ipqquqidi9oAvDd8BbFI1+FVfOBlk4+IB68FBEGnBYu8WyxYHQEy+BTQ2NFM+R5ZP4+tE",
      lighter_api_key: LIGHTER_KEY,
      lighter_account_index: 12345,
      lighter_api_key_index: 3,
    },
    w03: { private_key: await encryptSecret(k(2), IMPORT_PW), proxy: "p3.example:3128:u3:proxy-pass-3" },
  };
  seedFile = join(tempDir(), "api-keys.json");
  writeFileSync(seedFile, JSON.stringify(seed, null, 2));
});

/** A working directory with an initialised keystore at ./data/keystore.json. */
function initialised(): string {
  const cwd = tempDir();
  const r = perpbot(cwd, ["init", ...FAST], { PERPBOT_KEYSTORE_PASSWORD: KEYSTORE_PW });
  assert.equal(r.code, 0, r.stderr);
  return cwd;
}

describe("perpbot keys", () => {
  test("import of a seed-000 file, then list --json shows the right addresses and no secret", async () => {
    const cwd = initialised();
    const pwFile = join(cwd, "import.pw");
    writeFileSync(pwFile, `${IMPORT_PW}\n`);
    const env = { PERPBOT_KEYSTORE_PASSWORD: KEYSTORE_PW };
    const imp = perpbot(cwd, ["import", seedFile, "--import-password-file", pwFile], env);
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stdout, /imported 3 wallet\(s\)/);
    const list = perpbot(cwd, ["list", "--json"], env);
    assert.equal(list.code, 0, list.stderr);
    const rows = JSON.parse(list.stdout) as {
      id: string;
      address: string;
      venues: unknown[];
      proxy?: string;
    }[];
    assert.deepEqual(Object.fromEntries(rows.map((r) => [r.id, r.address])), EXPECTED);
    assert.deepEqual(rows[1].venues, [
      {
        venue: "lighter",
        identity: { account_index: "12345", api_key_index: "3" },
        secretFields: ["api_private_key"],
      },
    ]);
    assert.equal(rows[2].proxy, "http://u3@p3.example:3128");
    const human = perpbot(cwd, ["list"], env);
    const verify = perpbot(cwd, ["verify"], env);
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /ok: 5 entries in 3 wallet\(s\)/);

    const forms = await keystoreSecretForms(join(cwd, "data", "keystore.json"), KEYSTORE_PW);
    assert.ok(forms.includes(LIGHTER_KEY) && forms.includes("proxy-pass-3"));
    for (const r of [imp, list, human, verify]) {
      for (const f of [...forms, IMPORT_PW])
        assert.ok(!`${r.stdout}${r.stderr}`.includes(f), `secret form ${f} printed`);
    }
  });

  test("a wrong import password and a wrong keystore password each have their own error and change nothing", () => {
    const cwd = initialised();
    const file = join(cwd, "data", "keystore.json");
    const before = readFileSync(file);

    const wrongImport = perpbot(cwd, ["import", seedFile], {
      PERPBOT_KEYSTORE_PASSWORD: KEYSTORE_PW,
      PERPBOT_IMPORT_PASSWORD: "not the import password",
    });
    assert.equal(wrongImport.code, 3);
    assert.match(
      wrongImport.stderr,
      /the import password does not decrypt .*api-keys\.json \(none of its 3 encrypted entries opens\)/,
    );
    assert.deepEqual(readFileSync(file), before);

    const wrongKeystore = perpbot(cwd, ["import", seedFile], {
      PERPBOT_KEYSTORE_PASSWORD: "not the keystore password",
      PERPBOT_IMPORT_PASSWORD: IMPORT_PW,
    });
    assert.equal(wrongKeystore.code, 3);
    assert.match(wrongKeystore.stderr, /^perpbot: wrong password for keystore .*keystore\.json\n$/);
    assert.deepEqual(readFileSync(file), before);

    for (const args of [["list"], ["verify"], ["rm", "w01"], ["change-password"]]) {
      const r = perpbot(cwd, args, {
        PERPBOT_KEYSTORE_PASSWORD: "nope",
        PERPBOT_NEW_KEYSTORE_PASSWORD: "x2",
      });
      assert.equal(r.code, 3, `${args.join(" ")}: ${r.stderr}`);
    }
    assert.deepEqual(readFileSync(file), before);
  });

  test("add reads secrets from stdin lines, refuses them on argv, and change-password works", () => {
    const cwd = initialised();
    const pwFile = join(cwd, "ks.pw");
    writeFileSync(pwFile, `${KEYSTORE_PW}\n`);
    const pf = ["--password-file", pwFile];
    const key = `0x${"0".repeat(63)}1`;
    let r = perpbot(cwd, ["add", "main-1", "--label", "Main one", ...pf], {}, `${key}\n`);
    assert.equal(r.code, 0, r.stderr);
    r = perpbot(
      cwd,
      [
        "add",
        "main-1",
        "--venue",
        "aster",
        "--set",
        "api_key_id=AK1",
        "--secret",
        "api_secret",
        "--proxy",
        ...pf,
      ],
      {},
      "Sekret-Value-99\nhttp://bob:pr%40xy@10.1.2.3:8080\n",
    );
    assert.equal(r.code, 0, r.stderr);
    r = perpbot(cwd, ["add", "main-1", "--venue", "aster", "--set", "api_secret=leaky", ...pf]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--set api_secret: that looks like a secret; use --secret api_secret/);
    r = perpbot(cwd, ["add", "main-2", ...pf], {}, "0x1234\n");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /wallet "main-2", key: a private key is 32 bytes, got 2/);
    r = perpbot(cwd, ["add", "main-1", ...pf], {}, `${key}\n`);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /wallet "main-1" already has a key \(use --replace/);

    r = perpbot(cwd, ["change-password", ...pf], { PERPBOT_NEW_KEYSTORE_PASSWORD: "second ✓ password" });
    assert.equal(r.code, 0, r.stderr);
    r = perpbot(cwd, ["list"], { PERPBOT_KEYSTORE_PASSWORD: "second ✓ password" });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^main-1\tMain one\t0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf\taster\(api_key_id=AK1 api_secret=\*\*\*\)\tproxy http:\/\/bob@10\.1\.2\.3:8080$/m,
    );
    assert.ok(!r.stdout.includes("Sekret-Value-99") && !r.stdout.includes("pr@xy"));
    r = perpbot(cwd, ["rm", "main-1"], { PERPBOT_KEYSTORE_PASSWORD: "second ✓ password" });
    assert.equal(r.code, 0, r.stderr);
  });

  test("no password and no terminal is a clear usage error", () => {
    const cwd = initialised();
    const r = perpbot(cwd, ["list"]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /no keystore password: set PERPBOT_KEYSTORE_PASSWORD, pass --password-file <file>/,
    );
  });

  // node has no pty of its own; Python's pty module drives a real terminal when it is installed
  const hasPython = spawnSync("python3", ["-c", "import pty"]).status === 0;
  test("on a terminal the password prompt does not echo", { skip: !hasPython && "python3 not found" }, () => {
    const cwd = tempDir();
    const driver = `
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], sys.argv[2], "keys", "init", "--kdf-memory", "64", "--kdf-iterations", "1"])
out = b""
def until(pat):
    global out
    end = time.time() + 20
    while time.time() < end and pat not in out:
        if select.select([fd], [], [], 0.2)[0]:
            try: out += os.read(fd, 1024)
            except OSError: break
until(b"password: "); os.write(fd, b"typed-pw-7781\\r")
until(b"(again): "); os.write(fd, b"typed-pw-7781\\r")
until(b"created keystore")
sys.stdout.write(out.decode())
`;
    const r = spawnSync("python3", ["-c", driver, process.execPath, BIN], {
      cwd,
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(r.stderr, "");
    assert.match(r.stdout, /keystore password: \r?\n.*keystore password \(again\): \r?\n.*created keystore/s);
    assert.ok(!r.stdout.includes("typed-pw-7781"), "password echoed");
    const v = perpbot(cwd, ["verify"], { PERPBOT_KEYSTORE_PASSWORD: "typed-pw-7781" });
    assert.equal(v.code, 0, v.stderr);
  });
});

describe("perpbot keys add: one private key for two wallets", () => {
  const env = { PERPBOT_KEYSTORE_PASSWORD: KEYSTORE_PW };
  const key1 = `${"0".repeat(63)}1`;
  const ids = (cwd: string) =>
    (JSON.parse(perpbot(cwd, ["list", "--json"], env).stdout) as { id: string }[]).map((w) => w.id);

  test("is refused with a warning naming the other wallet and its address, and nothing written", () => {
    const cwd = initialised();
    assert.equal(perpbot(cwd, ["add", "a"], env, `${key1}\n`).code, 0);
    const before = readFileSync(join(cwd, "data", "keystore.json"), "utf8");
    const r = perpbot(cwd, ["add", "b"], env, `${key1}\n`);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /^warning: wallet "b": its private key is the one wallet "a" already holds \(0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf\)/m,
    );
    assert.match(r.stderr, /--allow-same-key to add it anyway/);
    assert.ok(!r.stderr.includes(key1), "the key is not echoed");
    assert.equal(readFileSync(join(cwd, "data", "keystore.json"), "utf8"), before);
    assert.deepEqual(ids(cwd), ["a"]);
  });

  test("--allow-same-key adds it, still with the warning; re-adding a wallet's own key is no warning", () => {
    const cwd = initialised();
    assert.equal(perpbot(cwd, ["add", "a"], env, `${key1}\n`).code, 0);
    const r = perpbot(cwd, ["add", "b", "--allow-same-key"], env, `${key1}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^warning: wallet "b": its private key is the one wallet "a" already holds/m);
    assert.deepEqual(ids(cwd), ["a", "b"]);
    const again = perpbot(cwd, ["add", "c"], env, `${"0".repeat(63)}2\n`);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stderr, "");
    const replace = perpbot(cwd, ["add", "c", "--replace"], env, `${"0".repeat(63)}2\n`);
    assert.equal(replace.code, 0, replace.stderr);
    assert.doesNotMatch(replace.stderr, /warning/);
  });
});
