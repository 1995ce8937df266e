import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { addWallets, createKeystore } from "../wallets/edit.ts";
import { keystoreSecretForms } from "../wallets/keystore.ts";
import { parseProxy } from "../wallets/proxy.ts";

const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

test("a full paper run with keys loaded writes no secret to stdout, stderr or any log file", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-secrets-"));
  dirs.push(cwd);
  const keystore = join(cwd, "data", "keystore.json");
  const password = `pw-${randomBytes(9).toString("base64url")}-ключ`;
  // cheap recorded KDF parameters: the leak check is about where secrets go, not the KDF
  await createKeystore(keystore, password, {
    algorithm: "argon2id",
    memoryKiB: 256,
    iterations: 1,
    parallelism: 1,
    keyLength: 32,
  });
  await addWallets(
    keystore,
    password,
    ["alpha", "beta", "gamma"].map((id) => ({
      id,
      label: `${id} wallet`,
      key: randomBytes(32),
      proxy: parseProxy(`proxy.example:8080:user-${id}:${randomBytes(8).toString("hex")}`),
      venues: {
        lighter: {
          identity: { account_index: "7" },
          secrets: {
            api_key: { bytes: Buffer.from(randomBytes(20).toString("hex")), encoding: "utf8" as const },
          },
        },
      },
    })),
  );
  const forms = await keystoreSecretForms(keystore, password);
  assert.ok(forms.length >= 3 * 6, `expected the forms of every secret, got ${forms.length}`);

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT")) env[k] = v;
  env.PERPBOT_KEYSTORE_PASSWORD = password;
  env.PERPBOT__LOG__LEVEL = "debug";
  const r = spawnSync(process.execPath, [BIN, "run", "--duration", "4", "--status-every", "1"], {
    cwd,
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /3 wallets/, "the run traded the keystore's wallets");
  const outputs: [string, string][] = [
    ["stdout", r.stdout],
    ["stderr", r.stderr],
    ...filesUnder(join(cwd, "data", "logs")).map((f) => [f, readFileSync(f, "utf8")] as [string, string]),
  ];
  assert.ok(outputs.length >= 3, "a log file was written");
  for (const [where, text] of outputs) {
    for (const secret of forms)
      assert.ok(!text.includes(secret), `${where} contains a secret (${secret.length} chars)`);
  }
});
