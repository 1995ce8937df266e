import assert from "node:assert/strict";
import { test } from "node:test";
import { registerSecret, unregisterSecret } from "../log/redact.ts";
import { discordContent, escapeDiscordMarkdown } from "./discord.ts";
import { plainText, truncate, viewOf } from "./format.ts";
import { escapeTelegramHtml, telegramHtml } from "./telegram.ts";
import type { Notice } from "./types.ts";

const base: Notice = {
  severity: "warning",
  key: "k",
  title: "t",
  message: "m",
  context: {},
  ts: Date.UTC(2026, 0, 1),
};
const LIMITS = { body: 3000, value: 200, facts: 20, total: 3900 };

test("Telegram HTML: exactly <, > and & become entities, an entity in the text shows literally", () => {
  assert.equal(escapeTelegramHtml(`a<b>&amp; "q" 'x'`), `a&lt;b&gt;&amp;amp; "q" 'x'`);
  const html = telegramHtml(viewOf({ ...base, title: "<i>not italic</i>" }, LIMITS));
  assert.match(html, /^⚠️ <b>WARNING: &lt;i&gt;not italic&lt;\/i&gt;<\/b>\n/);
});

test("Discord: markdown is escaped, line-start quotes and headings too", () => {
  assert.equal(escapeDiscordMarkdown("a*b_c~d`e|f[g]\\h"), "a\\*b\\_c\\~d\\`e\\|f\\[g\\]\\\\h");
  assert.equal(escapeDiscordMarkdown("> quote\n# head\n- item\nx-y"), "\\> quote\n\\# head\n\\- item\nx-y");
});

test("a huge alert fits each destination's limit and keeps its headline and footer", () => {
  const huge: Notice = {
    ...base,
    message: "&<".repeat(10_000),
    context: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, "v".repeat(500)])),
  };
  const view = viewOf(huge, LIMITS);
  assert.ok(Array.from(plainText(view)).length <= 3900);
  const html = telegramHtml(view);
  // what Telegram counts is the text after entity parsing
  const visible = html
    .replace(/<\/?[bi]>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
  assert.ok(visible.length <= 4096, `${visible.length}`);
  assert.match(html, /<i>k · 2026-01-01 00:00:00 UTC<\/i>$/);
  const discord = discordContent(viewOf(huge, { body: 1000, value: 100, facts: 15, total: 1500 }));
  assert.ok(discord.length <= 2000, `${discord.length}`);
  assert.equal(truncate("ab🚨cd", 4), "ab🚨…");
});

test("a secret quoted in an alert never reaches a chat", () => {
  const key = "0xfeedface-private-key-for-format-test";
  registerSecret(key);
  try {
    const view = viewOf({ ...base, message: `signing with ${key} failed`, context: { note: key } }, LIMITS);
    const text = plainText(view);
    assert.ok(!text.includes(key));
    assert.match(text, /signing with \[REDACTED\] failed/);
  } finally {
    unregisterSecret(key);
  }
});
