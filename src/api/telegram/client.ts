import { redactText, registerSecret } from "../../log/redact.ts";

/**
 * The few Bot API methods the control bot uses, as documented at https://core.telegram.org/bots/api:
 * every call is POST {base}/bot<token>/<method> with a JSON body, answered with
 * {"ok": true, "result": ...} or {"ok": false, "error_code", "description", "parameters"?}.
 * getUpdates long-polls: it holds the request up to `timeout` seconds until an update arrives;
 * `offset` = last update_id + 1 confirms everything before it. The token sits in the URL path, so
 * it is registered with the log scrubber and scrubbed from every error this client raises.
 */

/** https://core.telegram.org/bots/api#user (the fields we read) */
export interface TgUser {
  readonly id: number;
  readonly username?: string;
}

/** https://core.telegram.org/bots/api#chat */
export interface TgChat {
  readonly id: number;
  readonly type: string;
}

/** https://core.telegram.org/bots/api#message */
export interface TgMessage {
  readonly message_id: number;
  readonly date: number;
  readonly chat: TgChat;
  readonly from?: TgUser;
  readonly text?: string;
}

/** https://core.telegram.org/bots/api#callbackquery */
export interface TgCallbackQuery {
  readonly id: string;
  readonly from: TgUser;
  readonly message?: TgMessage;
  readonly data?: string;
}

/** https://core.telegram.org/bots/api#update */
export interface TgUpdate {
  readonly update_id: number;
  readonly message?: TgMessage;
  readonly callback_query?: TgCallbackQuery;
}

/** https://core.telegram.org/bots/api#inlinekeyboardmarkup */
export interface InlineKeyboard {
  readonly inline_keyboard: readonly (readonly { text: string; callback_data: string }[])[];
}

export class TelegramApiError extends Error {
  readonly code: number | undefined;
  /** seconds to wait, from a 429's parameters.retry_after */
  readonly retryAfterS: number | undefined;
  constructor(message: string, code?: number, retryAfterS?: number) {
    super(redactText(message));
    this.code = code;
    this.retryAfterS = retryAfterS;
  }
}

export interface TelegramClientOptions {
  readonly baseUrl: string;
  readonly botToken: string;
  /** time limit of a call besides getUpdates' own timeout (default 10 s) */
  readonly timeoutMs?: number;
}

export class TelegramClient {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(o: TelegramClientOptions) {
    if (o.botToken === "") throw new Error("telegram: bot_token is empty");
    registerSecret(o.botToken);
    this.base = `${o.baseUrl.replace(/\/+$/, "")}/bot${o.botToken}`;
    this.timeoutMs = o.timeoutMs ?? 10_000;
  }

  async call<T>(
    method: string,
    body: Record<string, unknown>,
    signal?: AbortSignal,
    extraMs = 0,
  ): Promise<T> {
    const timeout = AbortSignal.timeout(this.timeoutMs + extraMs);
    let res: Response;
    try {
      res = await fetch(`${this.base}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (e) {
      throw new TelegramApiError(`telegram ${method}: ${(e as Error).message}`);
    }
    const text = await res.text();
    let json: { ok?: boolean; result?: T; description?: string; parameters?: { retry_after?: number } };
    try {
      json = JSON.parse(text);
    } catch {
      throw new TelegramApiError(`telegram ${method}: HTTP ${res.status}, not JSON`, res.status);
    }
    if (json.ok !== true)
      throw new TelegramApiError(
        `telegram ${method}: HTTP ${res.status}: ${json.description ?? "no description"}`,
        res.status,
        json.parameters?.retry_after,
      );
    return json.result as T;
  }

  /** https://core.telegram.org/bots/api#getupdates */
  getUpdates(offset: number, timeoutS: number, signal?: AbortSignal): Promise<TgUpdate[]> {
    return this.call<TgUpdate[]>(
      "getUpdates",
      { offset, timeout: timeoutS, allowed_updates: ["message", "callback_query"] },
      signal,
      timeoutS * 1000,
    );
  }

  /** https://core.telegram.org/bots/api#sendmessage (plain text: nothing to escape) */
  sendMessage(chatId: number, text: string, keyboard?: InlineKeyboard): Promise<TgMessage> {
    return this.call<TgMessage>("sendMessage", {
      chat_id: chatId,
      text: clip(text),
      ...(keyboard ? { reply_markup: keyboard } : {}),
    });
  }

  /** https://core.telegram.org/bots/api#editmessagetext (an empty keyboard removes the buttons) */
  editMessageText(chatId: number, messageId: number, text: string): Promise<unknown> {
    return this.call("editMessageText", {
      chat_id: chatId,
      message_id: messageId,
      text: clip(text),
      reply_markup: { inline_keyboard: [] },
    });
  }

  /** https://core.telegram.org/bots/api#answercallbackquery */
  answerCallbackQuery(id: string, text?: string): Promise<boolean> {
    return this.call<boolean>("answerCallbackQuery", {
      callback_query_id: id,
      ...(text ? { text: text.slice(0, 200) } : {}),
    });
  }
}

/** A message holds at most 4096 characters (https://core.telegram.org/bots/api#sendmessage). */
function clip(text: string): string {
  return text.length <= 4000 ? text : `${text.slice(0, 3990)}\n… (cut)`;
}
