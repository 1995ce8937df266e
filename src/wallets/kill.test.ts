import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Rng } from "../core/random.ts";
import { FAST_KDF } from "../testing/keystore.ts";
import { addWallets, createKeystore, type NewWallet } from "./edit.ts";
import { WrongPasswordError } from "./errors.ts";
import { openKeystore } from "./keystore.ts";

/**
 * Chaos: `perpbot keys change-password` is SIGKILLed at random moments; after every kill the
 * keystore must open with the old or the new password and every entry must decrypt. Cheap
 * recorded KDF parameters and 40 wallets keep each run short and the write a real share of it.
 */
const BIN = fileURLToPath(new URL("../cli/bin.ts", import.meta.url));
const TRIALS = 50;

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function wallet(i: number): NewWallet {
  return {
    id: `w${String(i).padStart(3, "0")}`,
    key: Buffer.from(i.toString(16).padStart(64, "0"), "hex"),
    venues: {
      lighter: {
        identity: { account_index: String(i) },
        secrets: { api_private_key: { bytes: Buffer.alloc(40, i), encoding: "hex" } },
      },
    },
  };
}

/** Runs change-password old → new and kills it after `killAfterMs` (never, if undefined). */
function changePassword(
  cwd: string,
  oldPw: string,
  newPw: string,
  killAfterMs?: number,
): Promise<{ code: number | null; ms: number }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT")) env[k] = v;
  const start = performance.now();
  const child = spawn(process.execPath, [BIN, "keys", "change-password"], {
    cwd,
    env: { ...env, PERPBOT_KEYSTORE_PASSWORD: oldPw, PERPBOT_NEW_KEYSTORE_PASSWORD: newPw },
    stdio: "ignore",
  });
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  return new Promise((resolve) => {
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, ms: performance.now() - start });
    });
  });
}

/** Which password opens the keystore; throws if neither does or an entry fails to decrypt. */
async function openWithEither(file: string, oldPw: string, newPw: string): Promise<"old" | "new"> {
  for (const [which, pw] of [
    ["old", oldPw],
    ["new", newPw],
  ] as const) {
    try {
      const ks = await openKeystore(file, pw);
      try {
        const { entries, failures } = await ks.verify();
        assert.deepEqual(failures, []);
        assert.equal(entries, 80);
      } finally {
        ks.close();
      }
      return which;
    } catch (err) {
      if (!(err instanceof WrongPasswordError)) throw err;
    }
  }
  throw new Error("neither the old nor the new password opens the keystore");
}

test(`SIGKILL during change-password never leaves an unreadable keystore (${TRIALS} trials)`, async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-kill-"));
  dirs.push(cwd);
  const file = join(cwd, "data", "keystore.json");
  await createKeystore(file, "pw-0", FAST_KDF);
  await addWallets(
    file,
    "pw-0",
    Array.from({ length: 40 }, (_, i) => wallet(i + 1)),
  );

  // a full, unkilled run gives the time scale to aim the kills at
  const full = await changePassword(cwd, "pw-0", "pw-1");
  assert.equal(full.code, 0);
  let current = 1;
  const rng = new Rng("keystore-kill");
  const outcomes = { old: 0, new: 0, leftoverTemp: 0, staleLock: 0 };
  for (let t = 0; t < TRIALS; t++) {
    const next = current + 1;
    // spread kills over startup, unlock, re-encryption, write and rename, and a little beyond
    const delay = full.ms * (0.3 + rng.next());
    await changePassword(cwd, `pw-${current}`, `pw-${next}`, delay);
    const names = readdirSync(join(cwd, "data"));
    if (names.some((n) => n.includes(".tmp-"))) outcomes.leftoverTemp++;
    if (existsSync(`${file}.lock`)) outcomes.staleLock++;
    const which = await openWithEither(file, `pw-${current}`, `pw-${next}`);
    outcomes[which]++;
    if (which === "new") current = next;
  }
  // the kills straddled the rename: some runs died before it, some after
  assert.ok(outcomes.old > 0 && outcomes.new > 0, JSON.stringify(outcomes));
  // a stale lock from a killed run never blocks the next one (every trial above ran to an outcome)
  const last = await changePassword(cwd, `pw-${current}`, "final");
  assert.equal(last.code, 0);
  assert.equal(await openWithEither(file, `pw-${current}`, "final"), "new");
  assert.deepEqual(
    readdirSync(join(cwd, "data")).filter((n) => n !== "keystore.json"),
    [],
    "temporaries and lock cleaned up",
  );
  process.stdout.write(`# kill outcomes ${JSON.stringify(outcomes)}, full run ${full.ms.toFixed(0)} ms\n`);
});
