import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { formatLogLine } from "./console-format.ts";
import { createLogging } from "./logger.ts";
import { REDACTED, redactText, registerSecret, unregisterSecret } from "./redact.ts";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "perpbot-log-"));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function collector(): { write(s: string): void; text(): string } {
  const parts: string[] = [];
  return { write: (s) => void parts.push(s), text: () => parts.join("") };
}

function lines(file: string): Record<string, unknown>[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("createLogging", () => {
  test("writes JSON lines with the module name, honouring per-module levels", () => {
    const dir = join(tempDir(), "nested", "logs");
    const logging = createLogging({ dir, level: "info", modules: { engine: "debug", store: "warn" } });
    logging.forModule("engine").debug({ groupId: "g1" }, "engine detail");
    logging.forModule("store").info("store chatter");
    logging.forModule("store").warn("store slow");
    logging.forModule("data").debug("data detail");
    logging.forModule("data").info("data info");
    logging.close();
    const recs = lines(logging.file!);
    assert.deepEqual(
      recs.map((r) => [r.module, r.msg]),
      [
        ["engine", "engine detail"],
        ["store", "store slow"],
        ["data", "data info"],
      ],
    );
    assert.equal(recs[0].groupId, "g1");
    assert.equal(typeof recs[0].time, "number");
  });

  test("censors known secret field names at any of the first three levels", () => {
    const logging = createLogging({ dir: tempDir() });
    const log = logging.forModule("keys");
    log.info({ password: "hunter2-field", wallet: { privateKey: "0xabc-field" } }, "unlocked");
    log.info({ a: { b: { api_secret: "deep-field" } } }, "deep");
    logging.close();
    const text = readFileSync(logging.file!, "utf8");
    for (const s of ["hunter2-field", "0xabc-field", "deep-field"])
      assert.ok(!text.includes(s), `${s} leaked`);
    const recs = lines(logging.file!);
    assert.equal(recs[0].password, REDACTED);
    assert.equal((recs[0].wallet as Record<string, unknown>).privateKey, REDACTED);
  });

  test("registered secrets vanish from messages, fields, error messages and stacks, in file and console", () => {
    const secret = 'pw-"quoted"\\-7f3a91';
    registerSecret(secret);
    const con = collector();
    const logging = createLogging({ dir: tempDir(), console: con });
    const log = logging.forModule("cli");
    log.error({ err: new Error(`cannot decrypt with ${secret}`), note: `x${secret}y` }, `msg ${secret}`);
    logging.close();
    const file = readFileSync(logging.file!, "utf8");
    assert.ok(!file.includes(secret), "raw secret in file");
    assert.ok(!file.includes(JSON.stringify(secret).slice(1, -1)), "escaped secret in file");
    assert.ok(!con.text().includes(secret), "secret on console");
    const rec = lines(logging.file!)[0];
    assert.equal(rec.msg, `msg ${REDACTED}`);
    assert.equal(rec.note, `x${REDACTED}y`);
    assert.match(String((rec.err as Record<string, unknown>).message), /cannot decrypt with \[REDACTED\]/);
    assert.match(con.text(), /ERROR \[cli\] msg \[REDACTED\]/);
    unregisterSecret(secret);
  });
});

describe("redactText", () => {
  test("replaces every occurrence, the longer of overlapping secrets first", () => {
    registerSecret("abcd1234");
    registerSecret("abcd1234-extended");
    assert.equal(redactText("k=abcd1234-extended; j=abcd1234."), `k=${REDACTED}; j=${REDACTED}.`);
    assert.equal(redactText("nothing here"), "nothing here");
    unregisterSecret("abcd1234");
    assert.equal(redactText("abcd1234"), "abcd1234");
    unregisterSecret("abcd1234-extended");
  });

  test("secrets with regex metacharacters are matched literally", () => {
    registerSecret("a.b*c(d)");
    assert.equal(redactText("aXb*c(d) a.b*c(d)"), `aXb*c(d) ${REDACTED}`);
    unregisterSecret("a.b*c(d)");
  });

  test("an empty secret is refused", () => {
    assert.throws(() => registerSecret(""), /non-empty/);
  });
});

describe("formatLogLine", () => {
  test("renders level, module, message, fields and the error stack", () => {
    const time = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();
    const out = formatLogLine(
      JSON.stringify({
        level: 40,
        time,
        module: "engine",
        msg: "leg slow",
        leg: 2,
        venue: "sim A",
        err: { stack: "Error: x\n  at y" },
      }),
    );
    assert.equal(out, '03:04:05.006 WARN  [engine] leg slow leg=2 venue="sim A"\n    Error: x\n      at y\n');
  });

  test("passes a line that is not JSON through unchanged", () => {
    assert.equal(formatLogLine("plain text"), "plain text\n");
  });
});
