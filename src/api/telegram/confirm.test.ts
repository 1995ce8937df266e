import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import "../../app/sections.ts";
import { ConfigError } from "../../config/errors.ts";
import { type LoadedConfig, loadConfig } from "../../config/load.ts";
import { openStore, type Store } from "../../store/store.ts";
import { startTelegramServer, type TelegramTestServer } from "../../testing/telegram-server.ts";
import { startTelegramBot } from "./start.ts";

/**
 * The bot's confirmation rules and config checks on a real SQLite store, with no runner: a
 * confirmation past its time does nothing; an unknown code does nothing; a wrong token is
 * retried without the token ever reaching the log; `[telegram]` enabled needs a token and chats.
 */

const TOKEN = "1111:confirm-test-TOKEN-xyz";
let dir: string;
let store: Store;
let config: LoadedConfig;
let tg: TelegramTestServer;
let now = 1_760_000_000_000;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "perpbot-tgc-"));
  store = await openStore(`sqlite:${join(dir, "p.db")}`);
  tg = await startTelegramServer(TOKEN);
  writeFileSync(
    join(dir, "perpbot.toml"),
    `[telegram]\nenabled = true\nbot_token = "${TOKEN}"\nbase_url = "${tg.url}"\nallowed_chat_ids = ["5"]\npoll_timeout_s = 1\nconfirm_ttl_s = 30\n`,
  );
  config = loadConfig({ file: join(dir, "perpbot.toml"), env: {}, cwd: dir });
});
after(async () => {
  await tg.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a confirmation past its time, or with an unknown code, does nothing", async () => {
  const bot = startTelegramBot({ store, config, now: () => now })!;
  try {
    let from = tg.sent.length;
    tg.say(5, "/flatten");
    const q = await tg.waitFor(5, /^Confirm: flatten every group and position\?/, from);
    assert.match(q.text, /within 30 s/);
    const code = /\/confirm ([0-9a-f]{6})/.exec(q.text)![1];
    now += 31_000;
    from = tg.sent.length;
    tg.say(5, `/confirm ${code}`);
    assert.match((await tg.waitFor(5, /./, from)).text, /expired: nothing was done/);
    // used up: the same code again is unknown, and so is the button
    from = tg.sent.length;
    tg.tap(5, q.messageId, q.buttons[0]);
    assert.match((await tg.waitFor(5, /./, from)).text, /no pending confirmation/);
    assert.equal((await store.controlRequests.list()).length, 0);

    // in time, with no runner: queued, and the reply says nobody acts on it yet
    from = tg.sent.length;
    tg.say(5, "/close all");
    const q2 = await tg.waitFor(5, /^Confirm: close every group/, from);
    from = tg.sent.length;
    tg.tap(5, q2.messageId, q2.buttons[0]);
    assert.match(
      (await tg.waitFor(5, /queued/, from)).text,
      /queued as request #1 \(no perpbot run is polling/,
    );
    const [r] = await store.controlRequests.list();
    assert.equal(r.action, "close");
    assert.deepEqual({ group: r.args.group }, { group: "all" });
  } finally {
    await bot.close();
  }
});

test("a wrong token is retried, and the token is not in what the bot logs", async () => {
  const lines: string[] = [];
  const bot = startTelegramBot({
    store,
    config,
    telegram: { bot_token: "2222:wrong-TOKEN-abc" },
    log: (level, msg, ctx) => lines.push(`${level} ${msg} ${JSON.stringify(ctx ?? {})}`),
  })!;
  const until = Date.now() + 5_000;
  while (tg.unauthorized < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  await bot.close();
  assert.ok(tg.unauthorized >= 2, "retried after the 401");
  assert.ok(
    lines.some((l) => /getUpdates failed.*401: Unauthorized/.test(l)),
    lines.join("\n"),
  );
  assert.ok(
    lines.every((l) => !l.includes("wrong-TOKEN")),
    lines.join("\n"),
  );
});

test("[telegram] enabled needs a token and allowed chats", () => {
  writeFileSync(join(dir, "bad.toml"), "[telegram]\nenabled = true\n");
  assert.throws(
    () => loadConfig({ file: join(dir, "bad.toml"), env: {}, cwd: dir }),
    (e: unknown) =>
      e instanceof ConfigError &&
      /telegram\.bot_token/.test(e.message) &&
      /telegram\.allowed_chat_ids/.test(e.message),
  );
  writeFileSync(join(dir, "bad2.toml"), '[telegram]\nallowed_chat_ids = ["@chan"]\n');
  assert.throws(
    () => loadConfig({ file: join(dir, "bad2.toml"), env: {}, cwd: dir }),
    (e: unknown) => e instanceof ConfigError && /numeric chat id/.test(e.message),
  );
});
