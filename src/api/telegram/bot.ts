import { randomBytes } from "node:crypto";
import {
  awaitControlRequest,
  type ControlAction,
  type ControlArgs,
  controlOutcomeText,
  submitControlRequest,
} from "../../app/service/control.ts";
import { findGroup } from "../../app/service/groups.ts";
import type { ApiContext } from "../context.ts";
import { TelegramApiError, type TelegramClient, type TgCallbackQuery, type TgMessage } from "./client.ts";
import { balanceText, dailyText, groupsText, HELP, pnlText, positionsText, statusText } from "./commands.ts";

/**
 * The Telegram control bot: long-polls getUpdates (offset = last update_id + 1), answers commands
 * from allowlisted chats only, and asks before anything that changes the runner's course: such a
 * command sends an inline keyboard (Confirm / Cancel, answered by callback query) and names a code
 * for "/confirm <code>"; a confirmation is valid for one chat and `confirmTtlMs`. A confirmed
 * command is a control request queued through app/service (as the API and CLI do); the bot
 * waits for the runner's outcome and reports it.
 */

export interface TelegramBotOptions {
  readonly ctx: ApiContext;
  readonly client: TelegramClient;
  readonly allowedChatIds: readonly string[];
  readonly pollTimeoutS: number;
  readonly confirmTtlMs: number;
  /** how long the bot waits for the runner to act on a confirmed request (default 30 s) */
  readonly outcomeTimeoutMs?: number;
  readonly log?: (level: "info" | "warn" | "error", msg: string, ctx?: Record<string, unknown>) => void;
}

interface Pending {
  readonly chatId: number;
  readonly action: ControlAction;
  readonly args: ControlArgs;
  readonly label: string;
  readonly expiresAt: number;
}

const DESTRUCTIVE: Readonly<Record<string, ControlAction>> = {
  "/close": "close",
  "/flatten": "flatten",
  "/halt": "halt",
  "/resume": "resume",
  "/stop": "stop",
};

export class TelegramBot {
  private readonly o: TelegramBotOptions;
  private readonly allowed: ReadonlySet<string>;
  private readonly pending = new Map<string, Pending>();
  private offset = 0;
  private abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(o: TelegramBotOptions) {
    this.o = o;
    this.allowed = new Set(o.allowedChatIds);
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await Promise.allSettled([...this.inflight]);
    // confirm the updates handled, so the next start does not see them again
    if (this.offset > 0) await this.o.client.getUpdates(this.offset, 0).catch(() => undefined);
  }

  private async run(): Promise<void> {
    let backoffMs = 500;
    while (!this.abort.signal.aborted) {
      try {
        const updates = await this.o.client.getUpdates(this.offset, this.o.pollTimeoutS, this.abort.signal);
        backoffMs = 500;
        for (const u of updates) {
          this.offset = Math.max(this.offset, u.update_id + 1);
          const job = (
            u.message
              ? this.onMessage(u.message)
              : u.callback_query
                ? this.onCallback(u.callback_query)
                : null
          )?.catch((e) =>
            this.log("warn", `telegram: update ${u.update_id} failed: ${(e as Error).message}`),
          );
          if (job) await job;
        }
      } catch (e) {
        if (this.abort.signal.aborted) return;
        const wait = e instanceof TelegramApiError && e.retryAfterS ? e.retryAfterS * 1000 : backoffMs;
        this.log("warn", `telegram: getUpdates failed, retrying in ${wait} ms: ${(e as Error).message}`);
        await this.sleep(wait);
        backoffMs = Math.min(backoffMs * 2, 30_000);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.abort.signal.addEventListener("abort", () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private isAllowed(chatId: number): boolean {
    return this.allowed.has(String(chatId));
  }

  private reply(chatId: number, text: string) {
    return this.o.client.sendMessage(chatId, text);
  }

  private async onMessage(m: TgMessage): Promise<void> {
    const text = (m.text ?? "").trim();
    if (!this.isAllowed(m.chat.id)) {
      this.log("warn", "telegram: command from a chat not on the allowlist refused", { chat: m.chat.id });
      await this.reply(m.chat.id, `refused: chat ${m.chat.id} is not on telegram.allowed_chat_ids`);
      return;
    }
    // "/status@mybot arg" → command "/status", args ["arg"]
    const [head = "", ...args] = text.split(/\s+/);
    const cmd = head.toLowerCase().replace(/@\S+$/, "");
    const ctx = this.o.ctx;
    switch (cmd) {
      case "/start":
      case "/help":
        return void (await this.reply(m.chat.id, HELP));
      case "/status":
        return void (await this.reply(m.chat.id, await statusText(ctx)));
      case "/balance":
        return void (await this.reply(m.chat.id, await balanceText(ctx)));
      case "/positions":
        return void (await this.reply(m.chat.id, await positionsText(ctx)));
      case "/groups":
        return void (await this.reply(m.chat.id, await groupsText(ctx)));
      case "/pnl":
        return void (await this.reply(m.chat.id, await pnlText(ctx)));
      case "/daily": {
        const days = args[0] === undefined ? 7 : Number(args[0]);
        if (!Number.isInteger(days) || days < 1 || days > 90)
          return void (await this.reply(
            m.chat.id,
            `/daily [days]: days must be a whole number 1..90, not "${args[0]}"`,
          ));
        return void (await this.reply(m.chat.id, await dailyText(ctx, days)));
      }
      case "/confirm":
        return this.confirm(m.chat.id, args[0] ?? "", undefined);
    }
    const action = DESTRUCTIVE[cmd];
    if (action === undefined) {
      await this.reply(m.chat.id, `unknown command "${head.slice(0, 40)}"\n\n${HELP}`);
      return;
    }
    await this.ask(m.chat.id, cmd, action, args);
  }

  /** A destructive command: check its argument, then ask for the confirmation. */
  private async ask(chatId: number, cmd: string, action: ControlAction, args: string[]): Promise<void> {
    let reqArgs: ControlArgs = {};
    let label: string;
    if (action === "close") {
      const what = args[0];
      if (what === undefined)
        return void (await this.reply(
          chatId,
          "/close needs a group id (or a unique prefix) or all: /close all",
        ));
      if (what === "all") {
        reqArgs = { group: "all" };
        label = "close every group";
      } else {
        const found = await findGroup(this.o.ctx.store, what);
        if (found.kind === "none") return void (await this.reply(chatId, `no group "${what}": see /groups`));
        if (found.kind === "ambiguous")
          return void (await this.reply(chatId, `"${what}" matches several groups: ${found.ids.join(", ")}`));
        if (found.group.status === "closed" || found.group.status === "failed")
          return void (await this.reply(chatId, `group ${found.group.id} is already ${found.group.status}`));
        reqArgs = { group: found.group.id };
        label = `close group ${found.group.id}`;
      }
    } else {
      if (args.length > 0) return void (await this.reply(chatId, `${cmd} takes no arguments`));
      label = {
        flatten: "flatten every group and position",
        halt: "halt trading (only cancels pass)",
        resume: "resume normal trading",
        stop: "stop perpbot run (positions kept)",
      }[action as string] as string;
    }
    const code = randomBytes(3).toString("hex");
    const ttl = this.o.confirmTtlMs;
    this.pending.set(code, { chatId, action, args: reqArgs, label, expiresAt: this.o.ctx.now() + ttl });
    await this.o.client.sendMessage(
      chatId,
      `Confirm: ${label}?\nTap Confirm, or send /confirm ${code} within ${Math.round(ttl / 1000)} s.`,
      {
        inline_keyboard: [
          [
            { text: "Confirm", callback_data: `ok:${code}` },
            { text: "Cancel", callback_data: `no:${code}` },
          ],
        ],
      },
    );
  }

  private async onCallback(q: TgCallbackQuery): Promise<void> {
    const chatId = q.message?.chat.id;
    if (chatId === undefined || !this.isAllowed(chatId)) {
      await this.o.client.answerCallbackQuery(q.id, "refused: this chat is not allowed");
      return;
    }
    const m = /^(ok|no):([0-9a-f]{6})$/.exec(q.data ?? "");
    if (m === null) {
      await this.o.client.answerCallbackQuery(q.id, "unknown button");
      return;
    }
    if (m[1] === "no") {
      const p = this.pending.get(m[2]);
      if (p?.chatId === chatId) this.pending.delete(m[2]);
      await this.o.client.answerCallbackQuery(q.id, "cancelled");
      if (q.message)
        await this.o.client.editMessageText(chatId, q.message.message_id, "Cancelled: nothing was done.");
      return;
    }
    await this.o.client.answerCallbackQuery(q.id, "confirmed");
    await this.confirm(chatId, m[2], q.message?.message_id);
  }

  private async confirm(chatId: number, code: string, messageId: number | undefined): Promise<void> {
    const p = this.pending.get(code);
    const now = this.o.ctx.now();
    if (p === undefined || p.chatId !== chatId)
      return void (await this.reply(chatId, `no pending confirmation "${code}": give the command again`));
    this.pending.delete(code);
    if (now > p.expiresAt)
      return void (await this.reply(
        chatId,
        `confirmation ${code} expired: nothing was done, give the command again`,
      ));
    const r = await submitControlRequest(this.o.ctx.store, p.action, p.args, { now, expireAfterMs: 600_000 });
    const queued = `${p.label}: queued as request #${r.id}${r.runner.running ? "" : " (no perpbot run is polling: it acts when one starts)"}`;
    this.log("info", `telegram: ${p.label} confirmed`, { chat: chatId, request: r.id });
    if (messageId !== undefined) await this.o.client.editMessageText(chatId, messageId, queued);
    else await this.reply(chatId, queued);
    if (!r.runner.running) return;
    // the outcome is awaited beside the poll loop, so other commands are answered meanwhile
    this.track(this.reportOutcome(chatId, r.id));
  }

  private track(p: Promise<unknown>): void {
    const t = p
      .catch((e) => this.log("warn", `telegram: ${(e as Error).message}`))
      .finally(() => this.inflight.delete(t));
    this.inflight.add(t);
  }

  private async reportOutcome(chatId: number, id: number): Promise<void> {
    const r = { id };
    const done = await awaitControlRequest(this.o.ctx.store, r.id, {
      timeoutMs: this.o.outcomeTimeoutMs ?? 30_000,
    });
    const outcome =
      done?.status === "done"
        ? `request #${r.id} done: ${controlOutcomeText(done)}`
        : done?.status === "failed"
          ? `request #${r.id} failed: ${String(done.result?.error ?? "")}`
          : `request #${r.id} still ${done?.status ?? "unknown"}: see /status`;
    await this.reply(chatId, outcome);
  }

  private log(level: "info" | "warn" | "error", msg: string, ctx?: Record<string, unknown>): void {
    this.o.log?.(level, msg, ctx);
  }
}
