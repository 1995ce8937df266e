/**
 * Keystore unlock cost. Argon2id with the default parameters (19,456 KiB, 2 iterations, 1 lane)
 * is meant to be slow; these figures say how slow for the user: opening the keystore and
 * decrypting one wallet key, and decrypting all 40 wallets (one Argon2id run thanks to the
 * shared keystore salt), and one standalone seed-000 payload (its own Argon2id run, as on import).
 *
 * Run alone: `node bench/keystore.ts` (or through bench/run.ts once it lists this suite).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addWallets, createKeystore } from "../src/wallets/edit.ts";
import { openKeystore } from "../src/wallets/keystore.ts";
import { DEFAULT_KDF, decryptSecret, encryptSecret } from "../src/wallets/payload.ts";
import type { BenchFigure, BenchSuite } from "./harness.ts";

const RUNS = 7;
const PASSWORD = "bench password ✓";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const key = (i: number) => Buffer.from(i.toString(16).padStart(64, "0"), "hex");

const suite: BenchSuite = async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-bench-ks-"));
  try {
    const one = join(dir, "one.json");
    await createKeystore(one, PASSWORD, DEFAULT_KDF);
    await addWallets(one, PASSWORD, [{ id: "w1", key: key(1) }]);
    const many = join(dir, "many.json");
    await createKeystore(many, PASSWORD, DEFAULT_KDF);
    await addWallets(
      many,
      PASSWORD,
      Array.from({ length: 40 }, (_, i) => ({ id: `w${i + 1}`, key: key(i + 1) })),
    );
    const payload = await encryptSecret(key(7), PASSWORD, DEFAULT_KDF);

    const unlockOne: number[] = [];
    const unlockMany: number[] = [];
    const seedPayload: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      unlockOne.push(
        await timeMs(async () => {
          const ks = await openKeystore(one, PASSWORD);
          await ks.withWalletKey("w1", (k) => k.length);
          ks.close();
        }),
      );
      unlockMany.push(
        await timeMs(async () => {
          const ks = await openKeystore(many, PASSWORD);
          for (const id of ks.walletIds()) await ks.withWalletKey(id, (k) => k.length);
          ks.close();
        }),
      );
      seedPayload.push(await timeMs(() => decryptSecret(payload, PASSWORD, DEFAULT_KDF)));
    }
    const figures: BenchFigure[] = [
      {
        key: "keystore_unlock_ms",
        value: median(unlockOne),
        unit: "ms",
        target: "<= 500 ms",
        ok: median(unlockOne) <= 500,
      },
      { key: "keystore_unlock_40_wallets_ms", value: median(unlockMany), unit: "ms" },
      { key: "seed_payload_decrypt_ms", value: median(seedPayload), unit: "ms" },
    ];
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export default suite;

if (import.meta.main) {
  for (const f of await suite()) console.log(`${f.key}\t${f.value.toFixed(1)} ${f.unit}`);
}
