import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local HTTP server that speaks the part of the Telegram Bot API the control bot uses, shaped
 * as https://core.telegram.org/bots/api documents it: POST /bot<token>/<method> with a JSON body,
 * answered {"ok": true, "result": …} or {"ok": false, "error_code", "description"}.
 * - getUpdates {offset, timeout}: updates with update_id >= offset (earlier ones are confirmed
 *   and forgotten); none pending: the request is held up to `timeout` seconds (long polling).
 * - sendMessage {chat_id, text, reply_markup?} → Message; editMessageText {chat_id, message_id,
 *   text} → Message; answerCallbackQuery {callback_query_id, text?} → true.
 * The test plays the user: `say` adds a message update, `tap` a callback_query update (an inline
 * keyboard button), and reads what the bot sent from `sent`.
 */

export interface SentMessage {
  readonly method: "sendMessage" | "editMessageText";
  readonly chatId: number;
  readonly messageId: number;
  readonly text: string;
  /** callback_data of the inline keyboard's buttons, if any */
  readonly buttons: readonly string[];
}

export interface TelegramTestServer {
  readonly url: string;
  readonly token: string;
  readonly sent: SentMessage[];
  readonly callbackAnswers: { id: string; text: string | undefined }[];
  /** every getUpdates call's {offset, timeout} */
  readonly polls: { offset: number; timeout: number }[];
  /** requests with a wrong token (answered 401) */
  readonly unauthorized: number;
  /** a user in `chatId` sends `text`; returns its update_id */
  say(chatId: number, text: string): number;
  /** a user in `chatId` taps the button `data` under the bot's message `messageId` */
  tap(chatId: number, messageId: number, data: string): string;
  /** waits for the first message to `chatId` sent after index `from` that matches */
  waitFor(chatId: number, match: RegExp, from?: number, timeoutMs?: number): Promise<SentMessage>;
  close(): Promise<void>;
}

export async function startTelegramServer(token: string): Promise<TelegramTestServer> {
  type Update = Record<string, unknown> & { update_id: number };
  let updates: Update[] = [];
  let nextUpdate = 1;
  let nextMessage = 1000;
  let nextQuery = 1;
  let unauthorized = 0;
  const sent: SentMessage[] = [];
  const callbackAnswers: { id: string; text: string | undefined }[] = [];
  const polls: { offset: number; timeout: number }[] = [];
  const holders = new Set<() => void>();
  const wake = () => {
    for (const h of [...holders]) h();
  };
  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const user = { id: 42, is_bot: false, first_name: "Operator" };
  const chat = (id: number) => ({ id, type: id < 0 ? "supergroup" : "private" });
  const now = () => Math.floor(Date.now() / 1000);

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
      if (m === null) return reply(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      if (m[1] !== token) {
        unauthorized++;
        return reply(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
      }
      let body: Record<string, unknown>;
      try {
        body = chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return reply(res, 400, { ok: false, error_code: 400, description: "Bad Request: can't parse JSON" });
      }
      const method = m[2];
      if (method === "getUpdates") {
        const offset = Number(body.offset ?? 0);
        const timeout = Number(body.timeout ?? 0);
        polls.push({ offset, timeout });
        updates = updates.filter((u) => u.update_id >= offset);
        const answer = () => reply(res, 200, { ok: true, result: updates });
        if (updates.length > 0 || timeout <= 0) return answer();
        let timer: NodeJS.Timeout;
        const done = () => {
          clearTimeout(timer);
          holders.delete(done);
          updates = updates.filter((u) => u.update_id >= offset);
          if (!res.writableEnded) answer();
        };
        timer = setTimeout(done, timeout * 1000);
        holders.add(done);
        res.on("close", () => {
          clearTimeout(timer);
          holders.delete(done);
        });
        return;
      }
      if (method === "sendMessage" || method === "editMessageText") {
        const chatId = Number(body.chat_id);
        if (!Number.isFinite(chatId) || typeof body.text !== "string" || body.text === "")
          return reply(res, 400, {
            ok: false,
            error_code: 400,
            description: "Bad Request: message text is empty",
          });
        const markup = body.reply_markup as { inline_keyboard?: { callback_data: string }[][] } | undefined;
        const messageId = method === "sendMessage" ? nextMessage++ : Number(body.message_id);
        sent.push({
          method,
          chatId,
          messageId,
          text: body.text,
          buttons: (markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data),
        });
        return reply(res, 200, {
          ok: true,
          result: { message_id: messageId, date: now(), chat: chat(chatId), text: body.text },
        });
      }
      if (method === "answerCallbackQuery") {
        callbackAnswers.push({ id: String(body.callback_query_id), text: body.text as string | undefined });
        return reply(res, 200, { ok: true, result: true });
      }
      return reply(res, 404, { ok: false, error_code: 404, description: "Not Found: method not found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    sent,
    callbackAnswers,
    polls,
    get unauthorized() {
      return unauthorized;
    },
    say(chatId, text) {
      const id = nextUpdate++;
      updates.push({
        update_id: id,
        message: { message_id: nextMessage++, date: now(), chat: chat(chatId), from: user, text },
      });
      wake();
      return id;
    },
    tap(chatId, messageId, data) {
      const id = `cbq-${nextQuery++}`;
      updates.push({
        update_id: nextUpdate++,
        callback_query: {
          id,
          from: user,
          chat_instance: "1",
          data,
          message: { message_id: messageId, date: now(), chat: chat(chatId), text: "" },
        },
      });
      wake();
      return id;
    },
    async waitFor(chatId, match, from = 0, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const hit = sent.slice(from).find((s) => s.chatId === chatId && match.test(s.text));
        if (hit) return hit;
        if (Date.now() > until)
          throw new Error(
            `no message to ${chatId} matching ${match} in ${timeoutMs} ms; sent: ${JSON.stringify(sent.slice(from).map((s) => s.text))}`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close() {
      for (const h of [...holders]) h();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
