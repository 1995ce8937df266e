import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { listGroups } from "../../app/service/groups.ts";
import { readLiveSnapshot } from "../../app/service/live.ts";
import { dailyPnl, pnlAttribution } from "../../app/service/pnl.ts";
import { loadStatusReport } from "../../app/service/status.ts";
import { openStore, type Store } from "../../store/store.ts";
import { type RunProcess, startRunProcess } from "../../testing/run-process.ts";
import { startTelegramServer, type TelegramTestServer } from "../../testing/telegram-server.ts";
import { usd } from "./commands.ts";

/**
 * The control bot inside a real `perpbot run` (paper farm on simulated venues), talking to a local
 * server that speaks the Bot API (src/testing/telegram-server.ts): every read command's figures
 * equal the service's over the same store; a chat off the allowlist is refused; close, halt,
 * resume and stop act only after their confirmation (button or /confirm <code>), and close all
 * closes every group; bad commands get the help; the token appears in no output or log.
 */

const TOKEN = "7654321:AAH-telegram-control-bot-SECRET-token";
const OPS = 111;
const OTHER_OPS = 222;
const STRANGER = 999;

const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** Sends `cmd` and returns the bot's next reply to `chat`. */
async function ask(tg: TelegramTestServer, chat: number, cmd: string, match = /[\s\S]/) {
  const from = tg.sent.length;
  tg.say(chat, cmd);
  return tg.waitFor(chat, match, from);
}

/** Retries until the reply and the service's figures, read a moment apart, agree. */
async function agree(check: () => Promise<void>, tries = 8): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await check();
    } catch (e) {
      if (i >= tries) throw e;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

test("telegram control against a running paper farm", { timeout: 240_000 }, async () => {
  const tg = await startTelegramServer(TOKEN);
  cleanup.push(() => tg.close());
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-tg-"));
  cleanup.push(() => rmSync(cwd, { recursive: true, force: true }));
  writeFileSync(
    join(cwd, "perpbot.toml"),
    `[telegram]\nenabled = true\nbase_url = "${tg.url}"\nallowed_chat_ids = ["${OPS}", "${OTHER_OPS}"]\npoll_timeout_s = 2\nconfirm_ttl_s = 60\n`,
  );
  const run: RunProcess = await startRunProcess(cwd, {
    env: { PERPBOT__TELEGRAM__BOT_TOKEN: TOKEN },
    wait: /^telegram: control bot polling$/m,
  });
  cleanup.push(() => run.stop());
  const store: Store = await openStore(`sqlite:${join(cwd, "data", "perpbot.db")}`);
  cleanup.push(() => store.close());

  // off the allowlist: refused, nothing answered but the refusal
  const refused = await ask(tg, STRANGER, "/status");
  assert.match(refused.text, /^refused: chat 999 is not on telegram\.allowed_chat_ids$/);
  assert.equal((await ask(tg, STRANGER, "/close all")).text, refused.text.replace("999", "999"));
  assert.equal((await store.controlRequests.list()).length, 0, "a stranger's /close queues nothing");

  // help, and bad commands get it too
  assert.match((await ask(tg, OPS, "/help")).text, /\/close <group\|all>[\s\S]*\/stop/);
  assert.match((await ask(tg, OPS, "/frobnicate")).text, /^unknown command "\/frobnicate"[\s\S]*\/help/);
  assert.match((await ask(tg, OPS, "/daily zero")).text, /days must be a whole number 1\.\.90, not "zero"/);
  assert.match((await ask(tg, OPS, "/close")).text, /needs a group id/);
  assert.match((await ask(tg, OPS, "/close nosuchgroup")).text, /no group "nosuchgroup"/);

  // every figure as the service computes it from the same store
  await agree(async () => {
    const reply = (await ask(tg, OPS, "/status@perpbot_bot")).text;
    const r = await loadStatusReport(store, { now: Date.now(), recent: 0 });
    const live = await readLiveSnapshot(store, Date.now());
    assert.ok(r.active.length > 0);
    assert.match(reply, new RegExp(`^state: ${r.tradingState}$`, "m"));
    assert.match(reply, /^runner: running \(pid \d+\)$/m);
    assert.ok(reply.includes(`open groups: ${r.active.length}\n`), reply);
    assert.ok(reply.includes(`equity: ${usd(live!.equityUsd)}\n`), reply);
    assert.ok(
      reply.includes(
        `net PnL: ${usd(r.totals.netPnlUsd)} (realised ${usd(r.totals.realisedPnlUsd)}, funding ${usd(r.totals.fundingUsd)}, fees ${usd(r.totals.feesUsd)})`,
      ),
      reply,
    );
  });
  await agree(async () => {
    const reply = (await ask(tg, OPS, "/balance")).text;
    const live = (await readLiveSnapshot(store, Date.now()))!;
    assert.ok(live.accounts.length > 0);
    for (const a of live.accounts)
      assert.ok(reply.includes(`${a.venue}/${a.wallet}: equity ${usd(a.equityUsd)}`), reply);
    assert.ok(reply.endsWith(`total equity: ${usd(live.equityUsd)}`), reply);
  });
  await agree(async () => {
    const reply = (await ask(tg, OPS, "/positions")).text;
    const live = (await readLiveSnapshot(store, Date.now()))!;
    assert.ok(live.positions.length > 0);
    const lines = reply.split("\n");
    assert.equal(lines.length, live.positions.length, reply);
    for (const p of live.positions) {
      const liq = p.liquidationDistance === null ? "–" : `${(p.liquidationDistance * 100).toFixed(1)}%`;
      assert.ok(
        lines.some(
          (l) =>
            l.startsWith(`${p.venue}/${p.wallet} ${p.symbol} `) &&
            l.endsWith(`uPnL ${usd(p.unrealisedPnlUsd)} liq ${liq}`),
        ),
        `${p.venue}/${p.wallet} ${p.symbol} in\n${reply}`,
      );
    }
  });
  await agree(async () => {
    const reply = (await ask(tg, OPS, "/groups")).text;
    const active = await store.groups.list({ activeOnly: true });
    assert.ok(reply.startsWith(`${active.length} active group(s):`), reply);
    for (const g of active) assert.match(reply, new RegExp(`^${g.groupId} \\[${g.strategy}\\] `, "m"));
  });
  await agree(async () => {
    const reply = (await ask(tg, OPS, "/pnl")).text;
    const a = await pnlAttribution(store, { now: Date.now(), agents: [] });
    assert.ok(reply.includes(`price realised: ${usd(a.realisedPriceUsd)}\n`), reply);
    assert.ok(reply.includes(`funding: ${usd(a.fundingUsd)}\n`), reply);
    assert.ok(reply.includes(`fees: ${usd(-Number(a.feesUsd))}\n`), reply);
    assert.ok(reply.includes("LLM cost: $0.00"), reply);
    assert.ok(Number(a.feesUsd) > 0, "the farm paid fees");
  });
  await agree(async () => {
    const reply = (await ask(tg, OPS, "/daily 3")).text;
    const days = await dailyPnl(store, { now: Date.now(), days: 3 });
    assert.equal(days.length, 3);
    for (const d of days)
      assert.ok(
        reply.includes(`${d.day}: ${usd(d.netUsd)} (${d.fills} fills, fees ${usd(d.feesUsd)})`),
        reply,
      );
  });

  // one group by its id, confirmed by /confirm <code>
  const [first] = await store.groups.list({ activeOnly: true });
  const q0 = await ask(tg, OPS, `/close ${first.groupId}`, /^Confirm: close group /);
  assert.match(q0.text, new RegExp(`^Confirm: close group ${first.groupId}\\?`));
  const c0 = /\/confirm ([0-9a-f]{6})/.exec(q0.text)![1];
  const at = tg.sent.length;
  tg.say(OPS, `/confirm ${c0}`);
  await tg.waitFor(OPS, /^request #\d+ done: /, at, 40_000);
  const [g0] = await store.groups.list({ groupIds: [first.groupId] });
  assert.deepEqual([g0.status, g0.closeReason], ["closed", "manual"]);
  const done0 = (await store.controlRequests.list()).length;

  // close all: asked first; Cancel does nothing; Confirm closes every group open at the tap
  const q1 = await ask(tg, OPS, "/close all", /^Confirm: close every group\?/);
  assert.equal(q1.buttons.length, 2);
  let from = tg.sent.length;
  tg.tap(OPS, q1.messageId, q1.buttons[1]);
  assert.equal((await tg.waitFor(OPS, /^Cancelled/, from)).messageId, q1.messageId);
  assert.equal((await store.controlRequests.list()).length, done0, "nothing queued before a confirmation");
  // a stranger cannot press the button either
  const q2 = await ask(tg, OPS, "/close all", /^Confirm: close every group\?/);
  const strangerTap = tg.tap(STRANGER, q2.messageId, q2.buttons[0]);
  await agree(
    async () => assert.match(tg.callbackAnswers.find((a) => a.id === strangerTap)?.text ?? "", /refused/),
    20,
  );
  assert.equal((await store.controlRequests.list()).length, done0, "a stranger's tap queues nothing");
  const before = (await store.groups.list({ activeOnly: true })).map((g) => g.groupId);
  assert.ok(before.length > 0);
  from = tg.sent.length;
  tg.tap(OPS, q2.messageId, q2.buttons[0]);
  assert.match((await tg.waitFor(OPS, /queued as request #\d+/, from)).text, /^close every group: queued/);
  assert.match((await tg.waitFor(OPS, /^request #\d+ done: /, from, 40_000)).text, /closed \d+ group\(s\)/);
  const closed = await listGroups(store, { groupIds: before });
  assert.deepEqual(
    closed.filter((g) => g.status !== "closed").map((g) => g.groupId),
    [],
    "every group closed",
  );
  assert.ok(closed.every((g) => g.closeReason === "manual" && g.legs.every((l) => l.netLots === 0)));

  // halt by /confirm <code>; the code is tied to its chat; then no new entry
  const q3 = await ask(tg, OPS, "/halt", /^Confirm: halt trading/);
  const code = /\/confirm ([0-9a-f]{6})/.exec(q3.text)![1];
  assert.match((await ask(tg, OTHER_OPS, `/confirm ${code}`)).text, /no pending confirmation/);
  from = tg.sent.length;
  tg.say(OPS, `/confirm ${code}`);
  await tg.waitFor(OPS, /^request #\d+ done: trading state HALTED/, from, 40_000);
  assert.equal(await store.kv.get("engine.trading_state"), "HALTED");
  const haltedAt = Date.now();
  await new Promise((r) => setTimeout(r, 4_000));
  const newer = (await store.groups.list({})).filter((g) => g.createdAt > haltedAt);
  assert.deepEqual(
    newer.map((g) => g.groupId),
    [],
    "no group opened while halted",
  );

  const q4 = await ask(tg, OPS, "/resume", /^Confirm: resume/);
  from = tg.sent.length;
  tg.tap(OPS, q4.messageId, q4.buttons[0]);
  await tg.waitFor(OPS, /^request #\d+ done: trading state ACTIVE/, from, 40_000);
  assert.equal(await store.kv.get("engine.trading_state"), "ACTIVE");

  // /stop: the run stops cleanly, as on Ctrl-C
  const q5 = await ask(tg, OPS, "/stop", /^Confirm: stop perpbot run/);
  from = tg.sent.length;
  tg.tap(OPS, q5.messageId, q5.buttons[0]);
  await tg.waitFor(OPS, /^request #\d+ done: the runner is stopping/, from, 40_000);
  assert.equal(await run.exited, 0, run.err());
  assert.match(run.out(), /stopped; state saved/);

  // long polling with a moving offset, the right token only, and the token in no output or log
  assert.ok(tg.polls.length > 3 && tg.polls.every((p) => p.timeout === 2 || p.timeout === 0));
  assert.ok(tg.polls.at(-1)!.offset > 1, "the offset confirms handled updates");
  assert.equal(tg.unauthorized, 0);
  const logs = readdirSync(cwd, { recursive: true, encoding: "utf8" })
    .map((f) => join(cwd, f))
    .filter((f) => statSync(f).isFile() && !f.endsWith(".db") && !/\.db-/.test(f));
  for (const text of [run.out(), run.err(), ...logs.map((f) => readFileSync(f, "utf8"))])
    assert.ok(!text.includes(TOKEN) && !text.includes("SECRET-token"), "the bot token leaked");
});
