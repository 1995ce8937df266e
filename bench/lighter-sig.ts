/**
 * The Lighter emulator's independent signature check (`src/venues/lighter/emulator/schnorr/`):
 * one `verifyLighterSignature` of a CreateOrder txInfo (Poseidon2 message hash, public-key
 * decoding, s·G + e·pk, challenge hash). Reports the median wall time per verification over
 * batches, and the process CPU time per verification (less sensitive to a shared machine).
 * Target: well under 10 ms per verification.
 *
 * Run alone: `node bench/lighter-sig.ts`.
 */
import { fp5ToBytesLE } from "../src/venues/lighter/emulator/schnorr/field.ts";
import {
  publicKeyFromSecret,
  signatureToBytes,
  signHashedWithNonce,
} from "../src/venues/lighter/emulator/schnorr/schnorr.ts";
import { parseTxInfo, txMessageHash } from "../src/venues/lighter/emulator/schnorr/tx-hash.ts";
import { verifyLighterSignature } from "../src/venues/lighter/emulator/schnorr/verify.ts";
import type { BenchFigure, BenchSuite } from "./harness.ts";

const BATCHES = 9;
const PER_BATCH = 30;

function signedOrder(): { info: Record<string, unknown>; publicKey: string } {
  const sk = 0x1234567890abcdef1234567890abcdef1234567890n;
  const info: Record<string, unknown> = {
    AccountIndex: 77,
    ApiKeyIndex: 3,
    MarketIndex: 5,
    ClientOrderIndex: 123,
    BaseAmount: 1000,
    Price: 40000,
    IsAsk: 1,
    Type: 0,
    TimeInForce: 1,
    ReduceOnly: 0,
    TriggerPrice: 0,
    OrderExpiry: 1800000000000,
    ExpiredAt: 1796139179879,
    Nonce: 9,
    Sig: Buffer.alloc(80).toString("base64"),
  };
  const parsed = parseTxInfo(14, info);
  if (typeof parsed === "string") throw new Error(parsed);
  const sig = signHashedWithNonce(txMessageHash(304, 14, parsed), sk, 987654321987654321n);
  info.Sig = Buffer.from(signatureToBytes(sig)).toString("base64");
  return { info, publicKey: Buffer.from(fp5ToBytesLE(publicKeyFromSecret(sk))).toString("hex") };
}

const suite: BenchSuite = async () => {
  const { info, publicKey } = signedOrder();
  const verify = (): void => {
    const bad = verifyLighterSignature(14, info, publicKey);
    if (bad !== undefined) throw new Error(`bench fixture does not verify: ${bad}`);
  };
  for (let i = 0; i < 50; i++) verify(); // warm-up (JIT)
  const wall: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let b = 0; b < BATCHES; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < PER_BATCH; i++) verify();
    wall.push(Number(process.hrtime.bigint() - start) / 1e6 / PER_BATCH);
  }
  const cpu = process.cpuUsage(cpu0);
  wall.sort((a, b) => a - b);
  const median = wall[Math.floor(wall.length / 2)]!;
  const cpuMs = (cpu.user + cpu.system) / 1000 / (BATCHES * PER_BATCH);
  const figures: BenchFigure[] = [
    { key: "lighter_sig_verify_ms", value: median, unit: "ms", target: "<= 10 ms", ok: median <= 10 },
    { key: "lighter_sig_verify_cpu_ms", value: cpuMs, unit: "ms", target: "<= 5 ms", ok: cpuMs <= 5 },
  ];
  return figures;
};

export default suite;

if (import.meta.main) {
  for (const f of await suite()) console.log(`${f.key}\t${f.value.toFixed(2)} ${f.unit}`);
}
