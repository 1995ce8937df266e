import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { RotatingGzipWriter } from "./rotating-gzip.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "perpbot-gzip-"));
  dirs.push(d);
  return d;
}

test("rotates by age: each file starts with its header, every line lands once, only finished .gz remain", async () => {
  const dir = tmp();
  let now = 1_000;
  const w = new RotatingGzipWriter({
    dir,
    nameFor: (ms, n) => `rec_${ms}_${n}`,
    rotateMs: 100,
    header: (ms, n) => `header ${n} ${ms}`,
    now: () => now,
  });
  assert.deepEqual(readdirSync(dir), ["rec_1000_1.gz.part"], "the file being written is a .part");
  for (let i = 0; i < 30; i++) {
    w.write(`line ${i}`);
    now += 10;
  }
  await w.close();
  const names = readdirSync(dir).sort();
  assert.deepEqual(names, ["rec_1000_1.gz", "rec_1100_2.gz", "rec_1200_3.gz"]);
  const lines = names.flatMap((n) =>
    gunzipSync(readFileSync(join(dir, n)))
      .toString()
      .trimEnd()
      .split("\n"),
  );
  assert.deepEqual(
    lines.filter((l) => l.startsWith("header")),
    ["header 1 1000", "header 2 1100", "header 3 1200"],
  );
  assert.deepEqual(
    lines.filter((l) => l.startsWith("line")),
    Array.from({ length: 30 }, (_, i) => `line ${i}`),
  );
  assert.equal(w.totalLines, 30);
  assert.deepEqual(
    w.finished.map((f) => f.lines),
    [11, 11, 11],
  );
});

test("rotates by compressed size once the bytes on disk reach the limit", async () => {
  const dir = tmp();
  const w = new RotatingGzipWriter({ dir, nameFor: (_ms, n) => `s_${n}`, rotateBytes: 800, flushMs: 10 });
  // random-ish text compresses poorly, so the limit is reached within a few writes of a flush
  let x = 7;
  for (let i = 0; i < 400; i++) {
    x = (x * 48_271) % 2_147_483_647;
    w.write(`${i} ${x.toString(36).repeat(3)}`);
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 20));
  }
  await w.close();
  const sizes = readdirSync(dir)
    .sort()
    .map((n) => readFileSync(join(dir, n)).length);
  assert.ok(sizes.length >= 3, `several files: ${sizes}`);
  // a file is finished only after it reached the limit (its trailer adds a few bytes)
  for (const size of sizes.slice(0, -1)) assert.ok(size >= 800, `rotated at the limit: ${sizes}`);
  const lines = readdirSync(dir)
    .sort((a, b) => Number(a.slice(2, -3)) - Number(b.slice(2, -3)))
    .flatMap((n) =>
      gunzipSync(readFileSync(join(dir, n)))
        .toString()
        .trimEnd()
        .split("\n"),
    );
  assert.deepEqual(
    lines.map((l) => Number(l.split(" ")[0])),
    Array.from({ length: 400 }, (_, i) => i),
  );
});

test("a folder it cannot create a file in fails at construction, before any data", () => {
  assert.throws(
    () => new RotatingGzipWriter({ dir: join(tmp(), "missing", "deeper"), nameFor: () => "x" }),
    /ENOENT/,
  );
});
