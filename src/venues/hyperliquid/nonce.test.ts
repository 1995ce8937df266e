import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { FileNonceStore, MemoryNonceStore, NonceManager } from "./nonce.ts";

const dir = mkdtempSync(join(tmpdir(), "perpbot-hl-nonce-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const A = "0xAaAa000000000000000000000000000000000001";
const B = "0xbbbb000000000000000000000000000000000002";

describe("hyperliquid nonces", () => {
  it("are the clock in ms, bumped on collision and when the clock steps back", () => {
    let t = 1_000_000;
    const m = new NonceManager(new MemoryNonceStore(), { now: () => t });
    assert.equal(m.next(A), 1_000_000);
    assert.equal(m.next(A), 1_000_001);
    assert.equal(m.next(A), 1_000_002);
    t = 1_000_500;
    assert.equal(m.next(A), 1_000_500);
    t = 900_000; // clock stepped back
    assert.equal(m.next(A), 1_000_501);
  });

  it("are independent per signer, and the address case does not matter", () => {
    const t = 5_000;
    const m = new NonceManager(new MemoryNonceStore(), { now: () => t });
    assert.equal(m.next(A), 5_000);
    assert.equal(m.next(B), 5_000);
    assert.equal(m.next(A.toLowerCase()), 5_001);
    assert.equal(m.last(B), 5_000);
  });

  it("persist a ceiling before use, and write only when it is crossed", () => {
    let t = 10_000;
    let writes = 0;
    const mem = new MemoryNonceStore();
    const store = {
      load: (s: string) => mem.load(s),
      save: (s: string, c: number) => {
        writes++;
        mem.save(s, c);
      },
    };
    const m = new NonceManager(store, { now: () => t, leaseMs: 1000 });
    for (let i = 0; i < 500; i++) m.next(A);
    assert.equal(writes, 1);
    assert.equal(mem.load(A.toLowerCase()), 11_000);
    t = 11_001;
    assert.equal(m.next(A), 11_001);
    assert.equal(writes, 2);
    assert.ok((mem.load(A.toLowerCase()) ?? 0) >= (m.last(A) ?? Infinity));
  });

  it("never repeat across a restart, even when the clock went back", () => {
    const path = join(dir, "sub", "nonces.json");
    let t = 2_000_000;
    const first = new NonceManager(new FileNonceStore(path), { now: () => t, leaseMs: 5000 });
    const used = new Set<number>();
    for (let i = 0; i < 50; i++) used.add(first.next(A));
    first.next(B);
    // crash and restart one second earlier on the wall clock
    t = 1_999_000;
    const second = new NonceManager(new FileNonceStore(path), { now: () => t, leaseMs: 5000 });
    const n = second.next(A);
    assert.ok(n > Math.max(...used), `${n} must exceed every nonce used before the restart`);
    assert.ok(second.next(B) > 2_000_000);
    const file = JSON.parse(readFileSync(path, "utf8"));
    assert.equal(file.version, 1);
    assert.deepEqual(Object.keys(file.ceilings).sort(), [A.toLowerCase(), B]);
  });

  it("a corrupt nonce file is an error, not a reset", () => {
    const path = join(dir, "bad.json");
    writeFileSync(path, '{"version":1,"ceilings":{"0xa":"x"}}');
    assert.throws(() => new FileNonceStore(path), /not valid/);
  });
});
