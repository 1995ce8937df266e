import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { moneyText } from "../core/money.ts";
import { openStore } from "../store/store.ts";
import { parseCsv } from "../trades/csv.ts";
import { TRADE_CSV_HEADER } from "../trades/recorder.ts";

const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test("the CSV trade log of a paper run matches the fills in the store, row for row", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-trades-"));
  dirs.push(cwd);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT")) env[k] = v;
  // 15 s, and books up to 30 s old accepted: on a loaded machine (CI beside other work) the
  // event loop lags and the first books can be older than the default max_book_age_ms for a
  // while; the risk gate rightly refuses to open on them, and the refused wallets then rest for
  // minutes, so the run would trade too little to compare. What this test checks, the CSV
  // against the store, does not depend on the gate.
  env.PERPBOT__ENGINE__MAX_BOOK_AGE_MS = "30000";
  const r = spawnSync(process.execPath, [BIN, "run", "--duration", "15", "--status-every", "2"], {
    cwd,
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);

  const store = await openStore("sqlite:./data/perpbot.db", { cwd });
  const fills = await store.fills.list();
  await store.close();
  // at least one whole group (a loaded CI run opened one 3-leg group in 10 s): every fill is
  // compared below, so a single group already shows the log and the store agreeing
  assert.ok(
    fills.length >= 3,
    `the paper run traded: ${fills.length} fills\n--- its output:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`,
  );

  const dir = join(cwd, "data", "trades");
  const rows: Record<string, string>[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".csv"))) {
    const [header, ...body] = parseCsv(readFileSync(join(dir, file), "utf8"));
    assert.deepEqual(header, [...TRADE_CSV_HEADER]);
    for (const row of body) rows.push(Object.fromEntries(header.map((h, i) => [h, row[i]])));
  }
  assert.equal(rows.length, fills.length, "one CSV row per stored fill");
  const key = (orderId: string, qty: string, price: string) => `${orderId}|${qty}|${price}`;
  const csv = new Map(rows.map((x) => [key(x.OrderID, x.Quantity, x.Price), x]));
  for (const f of fills) {
    const row = csv.get(key(f.clientOrderId ?? "", f.size, f.price));
    assert.ok(row, `fill ${f.fillId} (${f.clientOrderId} ${f.size} @ ${f.price}) has no CSV row`);
    assert.equal(row.Side.toLowerCase(), f.side);
    assert.equal(row.Wallet, f.account);
    assert.equal(Number(row.Fee), Number(moneyText(f.fee)));
  }
});
