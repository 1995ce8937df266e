import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { moneyText } from "../core/money.ts";
import { openStore, type Store } from "../store/store.ts";

/**
 * The dashboard in real headless Chromium (Debian's package, driven by playwright-core) against a
 * real `perpbot run` with the API on: the page shows the API's numbers (and the store's), its
 * close-all (after the confirmation) closes every group in the store, its halt halts. A
 * phone-sized screenshot is always taken (it must render); it replaces docs/img/dashboard-phone.png
 * only with PERPBOT_UPDATE_SCREENSHOT=1, so a test run leaves the working tree as it found it.
 */

const BIN = fileURLToPath(new URL("../cli/bin.ts", import.meta.url));
const SCREENSHOT = fileURLToPath(new URL("../../docs/img/dashboard-phone.png", import.meta.url));
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// biome-ignore lint/suspicious/noExplicitAny: the test reads JSON bodies field by field
type Json = any;
declare const document: {
  body: { dataset: Record<string, string | undefined> };
  getElementById(id: string): { textContent: string | null } | null;
};

const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT")) env[k] = v;
  return env;
}

/** Starts `perpbot run`; resolves with its API URL once groups are open and their risk is read. */
function startRun(cwd: string): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const child = spawn(process.execPath, [BIN, "run", "--status-every", "1"], { cwd, env: cleanEnv() });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => {
    err += d;
  });
  cleanup.push(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGINT");
      await exited;
    }
  });
  return new Promise((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`no open groups within 60 s\nstdout: ${out}\nstderr: ${err}`)),
      60_000,
    );
    child.on("exit", (code) =>
      reject(new Error(`perpbot run exited (${code})\nstdout: ${out}\nstderr: ${err}`)),
    );
    child.stdout.on("data", (d) => {
      out += d;
      const url = /^api: (http:\/\/127\.0\.0\.1:\d+)\/$/m.exec(out)?.[1];
      const open = [...out.matchAll(/^farm: (\d+) groups? open/gm)].some((m) => Number(m[1]) > 0);
      if (url && open && /liq \d+\.\d%/.test(out)) {
        clearTimeout(t);
        resolve({ child, url, out: () => out });
      }
    });
  });
}

// biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a person reads
const text = (page: Page, id: string) => page.locator(`#${id}`).innerText();
const money = (v: string | number) => {
  const x = Number(v);
  const abs = Math.abs(x).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${x < 0 && abs !== "0.00" ? "-" : ""}$${abs}`;
};

/** Retries `check` until it passes (the page and the API are read a moment apart, and both move). */
async function eventually(check: () => Promise<void>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

test("dashboard on a running paper farm: numbers, close-all, halt, phone screenshot", {
  skip:
    CHROMIUM === undefined ? "chromium not found at /usr/bin/chromium (apt-get install -y chromium)" : false,
  timeout: 180_000,
}, async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-dash-"));
  cleanup.push(() => rmSync(cwd, { recursive: true, force: true }));
  writeFileSync(join(cwd, "perpbot.toml"), "[api]\nenabled = true\nport = 0\n");
  // the token first: `perpbot api token` creates the store and keeps the token's hash in it
  const token = execFileSync(process.execPath, [BIN, "api", "token"], {
    cwd,
    env: cleanEnv(),
    encoding: "utf8",
  }).split("\n")[0];
  assert.match(token, /^pb_[A-Za-z0-9_-]{43}$/);

  const run = await startRun(cwd);
  const api = async (path: string): Promise<Json> => (await fetch(`${run.url}${path}`)).json();
  const store: Store = await openStore(`sqlite:${join(cwd, "data", "perpbot.db")}`);
  cleanup.push(() => store.close());

  const userDataDir = mkdtempSync(join(tmpdir(), "perpbot-chromium-"));
  cleanup.push(() => rmSync(userDataDir, { recursive: true, force: true }));
  const context: BrowserContext = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  cleanup.push(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(`${run.url}/`);
  await page.waitForFunction(() => document.body.dataset.rendered !== undefined, null, { timeout: 20_000 });

  // every number shown equals the API's, and the API's equal a recomputation from the store
  await eventually(async () => {
    const s = await api("/api/status");
    assert.ok(s.active.length > 0);
    assert.equal(await text(page, "open-groups"), String(s.active.length));
    assert.equal(await text(page, "net-pnl"), money(s.totals.netPnlUsd));
    assert.equal(await text(page, "fees"), money(s.totals.feesUsd));
    assert.equal(await text(page, "funding"), money(s.totals.fundingUsd));
    assert.equal(await text(page, "volume"), money(s.totals.volumeUsd));
    assert.equal(await text(page, "equity"), money(s.live.equityUsd));
    assert.equal(await text(page, "state"), s.tradingState);
    const fromStore = await store.groups.list({ activeOnly: true });
    assert.deepEqual(
      fromStore.map((g) => g.groupId).sort(),
      s.active.map((g: { id: string }) => g.id).sort(),
    );
    const fees = (await store.fills.ofGroupOrders()).reduce((sum, f) => sum + f.fee, 0n);
    assert.equal(moneyText(fees), s.totals.feesUsd);
    // each active group's row: its liquidation distance as the runner's live snapshot has it
    const groups = await api("/api/groups?active=true");
    for (const g of groups) {
      const row = page.locator(`#groups tr[data-id="${g.groupId}"]`);
      const cells = await row.locator("td").allInnerTexts();
      assert.equal(cells[0], g.groupId);
      const d = g.live?.minLiquidationDistance;
      assert.equal(cells[4], d === null || d === undefined ? "–" : `${(d * 100).toFixed(1)}%`, g.groupId);
    }
  });
  // PnL attribution: the page's rows equal /api/pnl, whose fees and funding equal the store's sums
  await eventually(async () => {
    const a = await api("/api/pnl");
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a person reads
    const row = (id: string) => page.locator(`#pnl tr[data-id="${id}"] td`).nth(1).innerText();
    assert.equal(await row("realised"), money(a.realisedPriceUsd));
    assert.equal(await row("unrealised"), money(a.unrealisedPriceUsd));
    assert.equal(await row("funding"), money(a.fundingUsd));
    assert.equal(await row("fees"), money(-Number(a.feesUsd)));
    assert.equal(await row("llm"), money(0));
    assert.equal(await row("net"), money(a.netUsd));
    const fills = await store.fills.ofGroupOrders();
    assert.equal(moneyText(fills.reduce((sum, f) => sum + f.fee, 0n)), a.feesUsd);
    assert.equal(moneyText(fills.reduce((sum, f) => sum + f.realisedPnl, 0n)), a.realisedPriceUsd);
    const funding = (await store.funding.since(0)).reduce((sum, p) => sum + p.amount, 0n);
    assert.equal(moneyText(funding), a.fundingUsd);
    const last = (await api("/api/equity/breakdown")).at(-1);
    if (last)
      assert.match(
        await text(page, "equity-points"),
        new RegExp(`unrealised ${money(last.unrealisedUsd).replace("$", "\\$")}`),
      );
  });
  const positions = await page.locator("#positions tbody tr[data-id]").count();
  assert.ok(positions > 0, "positions are listed");
  const shot = await page.screenshot();
  assert.ok(shot.length > 10_000, `the phone screenshot has content (${shot.length} bytes)`);
  if (process.env.PERPBOT_UPDATE_SCREENSHOT === "1") {
    mkdirSync(join(SCREENSHOT, ".."), { recursive: true });
    writeFileSync(SCREENSHOT, shot);
  }

  await page.fill("#token", token);
  await page.dispatchEvent("#token", "change");
  // pause the farm instance from its row, confirmed; the runner persists it; resume it the same way
  await page.click('#strategies tr[data-id="farm"] button[data-strategy-action="pause"]');
  await page.click("#confirm-yes");
  await page.waitForFunction(
    () => /request #\d+ done/.test(document.getElementById("control-msg")?.textContent ?? ""),
    null,
    { timeout: 30_000 },
  );
  assert.equal(await store.kv.get("strategies.paused"), '["farm"]');
  await page.waitForSelector('#strategies tr[data-id="farm"] button[data-strategy-action="resume"]', {
    timeout: 15_000,
  });
  await page.click('#strategies tr[data-id="farm"] button[data-strategy-action="resume"]');
  await page.click("#confirm-yes");
  await page.waitForFunction(
    () =>
      /request #\d+ done: .*"paused":false/.test(document.getElementById("control-msg")?.textContent ?? ""),
    null,
    { timeout: 30_000 },
  );
  assert.equal(await store.kv.get("strategies.paused"), "[]");

  // close-all: nothing happens until confirmed; then every group open at the click is closed
  const requestsBefore = (await store.controlRequests.list()).length;
  const before = (await store.groups.list({ activeOnly: true })).map((g) => g.groupId);
  await page.click('button[data-action="close-all"]');
  assert.equal(await page.isVisible("#confirm"), true);
  assert.equal(
    (await store.controlRequests.list()).length,
    requestsBefore,
    "no request before the confirmation",
  );
  await page.click("#confirm-yes");
  await page.waitForFunction(
    () => /request #\d+ done/.test(document.getElementById("control-msg")?.textContent ?? ""),
    null,
    {
      timeout: 30_000,
    },
  );
  const after = await store.groups.list({ groupIds: before });
  assert.deepEqual(
    after.filter((g) => g.status !== "closed").map((g) => [g.groupId, g.status]),
    [],
    "every group open at the click is closed",
  );
  assert.ok(after.every((g) => g.closeReason === "manual"));

  // the kill switch: halt, confirmed, reaches the engine and the page shows it
  await page.click('button[data-action="halt"]');
  await page.click("#confirm-yes");
  await page.waitForFunction(() => document.getElementById("state")?.textContent === "HALTED", null, {
    timeout: 30_000,
  });
  assert.equal(await store.kv.get("engine.trading_state"), "HALTED");
  // the kill switch halts new entries: no group is created while halted
  const haltedAt = Date.now();
  await new Promise((r) => setTimeout(r, 5_000));
  const opened = (await store.groups.list({})).filter((g) => g.createdAt > haltedAt);
  assert.deepEqual(
    opened.map((g) => g.groupId),
    [],
    "no group opened while halted",
  );
  assert.deepEqual(errors, [], "no error in the page");

  // the run (and its API) stops cleanly
  const exited = new Promise<number | null>((r) => run.child.once("exit", r));
  run.child.kill("SIGINT");
  assert.equal(await exited, 0, run.out());
  assert.match(run.out(), /stopped; state saved/);
});
