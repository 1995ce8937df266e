/**
 * What a strategy is and what it may touch. The engine implements the context
 * (src/engine/context.ts); a strategy never holds a Venue, never polls one, never opens the
 * store and never sleeps on wall-clock time: everything it reads comes from the views below,
 * everything it does goes through an intent, and time is the injected clock. That is what makes a
 * backtest the same code as a live run, and what lets the engine see (and rate-limit) every
 * venue request.
 */
import type { z } from "zod";
import type { Clock } from "../core/clock.ts";
import type { Instrument } from "../core/instrument.ts";
import type { BookView, MarketEvent } from "../core/market.ts";
import type { Rng } from "../core/random.ts";
import type { Fill, MarginMode, Side, TimeInForce } from "../core/types.ts";
import type { Alert } from "../engine/alerts.ts";
import type {
  CloseOutcome,
  ClosePricing,
  CloseReason,
  FlattenResult,
  GroupRecord,
  GroupStatus,
  LegSpec,
  OpenGroupOptions,
  OpenOutcome,
} from "../engine/groups/group-types.ts";
import type {
  AmendOutcome,
  AmendRequest,
  CancelOutcome,
  OrderIntent,
  OrderUpdate,
  OrderView,
  PlaceOutcome,
} from "../engine/orders/single-order-types.ts";
import type { JsonValue } from "../engine/scheduler.ts";

export type {
  CloseOutcome,
  ClosePricing,
  CloseReason,
  FlattenResult,
  GroupRecord,
  GroupStatus,
  LegFillSummary,
  LegSpec,
  OpenGroupOptions,
  OpenOutcome,
} from "../engine/groups/group-types.ts";

export type Unsubscribe = () => void;
export type LogLevel = "info" | "warn" | "error";

// ---- read-only views ---------------------------------------------------------------------------

/** Best bid and offer in ticks of the instrument (undefined: that side is empty). */
export interface Bbo {
  readonly bidTicks: number | undefined;
  readonly askTicks: number | undefined;
  /** time of the book update it was read from (ms) */
  readonly ts: number;
}

/** Markets as the engine keeps them from the venues' streams: no call reaches a venue. */
export interface MarketView {
  venues(): readonly string[];
  instruments(venue: string): readonly Instrument[];
  instrument(venue: string, symbol: string): Instrument;
  /** the venue's stream-maintained book (read-only) */
  book(venue: string, symbol: string): BookView;
  bbo(venue: string, symbol: string): Bbo;
  /** last mark price from the stream; NaN before any */
  mark(venue: string, symbol: string): number;
  fundingRatePerHour(venue: string, symbol: string): number;
  /** the venue's predicted rate of the next settlement, per hour; undefined where it publishes none */
  predictedFundingRatePerHour?(venue: string, symbol: string): number | undefined;
  /** when the rate in force was published (ms, the funding event's ts); 0: never seen on the stream */
  fundingRateTs(venue: string, symbol: string): number;
  /**
   * One listing's figures through one live handle (they change as the streams speak): what the
   * calls above give for it, without a lookup per figure; undefined for a symbol not listed.
   * Optional: a view without it is read through the calls above. A view with it keeps one book
   * object per listing for its life (the handle's book is book()'s), and gives the same
   * instruments() array while a venue's listings stay the same.
   */
  listing?(venue: string, symbol: string): ListingFigures | undefined;
}

/** A listing as MarketView.listing gives it: read its fields when needed, do not keep copies. */
export interface ListingFigures {
  readonly instrument: Instrument;
  readonly book: BookView;
  /** fundingRatePerHour */
  readonly funding: number;
  /** fundingRateTs */
  readonly fundingTs: number;
  /** predictedFundingRatePerHour */
  predicted(): number | undefined;
}

/** One position of a venue account, as the portfolio holds it. */
export interface PositionView {
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  /** signed lots: > 0 long, < 0 short (kept from fills between reads) */
  readonly sizeLots: number;
  readonly entryPrice: number;
  /** the market's mark now */
  readonly markPrice: number;
  /** size x (mark - entry), at the mark now */
  readonly unrealisedPnlUsd: number;
  /** as the venue last reported it; null when it reported none (or the position is new since) */
  readonly liquidationPrice: number | null;
  readonly maintenanceMarginUsd: number;
  /** when the venue last reported this position (ms); 0: known from fills only */
  readonly readAt: number;
  /** a fill or liquidation changed it after the venue's last report: the venue figures are old */
  readonly stale: boolean;
}

/** One venue account, as the portfolio holds it. */
export interface AccountView {
  readonly venue: string;
  readonly account: string;
  /** equity at the last read, moved by the unrealised PnL change since (marks now) */
  readonly equityUsd: number;
  readonly availableUsd: number;
  readonly initialMarginUsd: number;
  readonly maintenanceMarginUsd: number;
  /** when the venue last reported it (ms) */
  readonly readAt: number;
  /** a fill, funding payment or liquidation happened since the last read: cash has moved */
  readonly stale: boolean;
}

/** An order the engine has working on a venue account. */
export interface OpenOrderView {
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly priceTicks: number;
  readonly sizeLots: number;
  readonly workingLots: number;
  readonly tif: TimeInForce;
  readonly reduceOnly: boolean;
  readonly groupId: string | null;
}

/** Positions, accounts and open orders per venue account, kept by the engine. */
export interface PortfolioView {
  /** undefined until the engine has read the account once */
  account(venue: string, account: string): AccountView | undefined;
  /** non-zero positions of the account */
  positions(venue: string, account: string): readonly PositionView[];
  position(venue: string, account: string, symbol: string): PositionView | undefined;
  openOrders(venue: string, account: string): readonly OpenOrderView[];
}

// ---- intents -----------------------------------------------------------------------------------

/**
 * A single order, journaled write-ahead like a group's (src/engine/orders/single-orders.ts). Its
 * client order id derives from (instance, intentId), so a retried intent can never place twice.
 * The context fills in the strategy (the instance name).
 */
export type PlaceOrderIntent = Omit<OrderIntent, "strategy">;
export type { AmendOutcome, AmendRequest, CancelOutcome, OrderUpdate, OrderView, PlaceOutcome };

export type GroupLegIntent = LegSpec;
/** openGroup's options without the strategy: the context fills in the instance name */
export type GroupOpenOptions = Omit<OpenGroupOptions, "strategy">;

export interface Intents {
  /** all-or-nothing open of a group of legs (src/engine/groups) */
  openGroup(legs: readonly GroupLegIntent[], options: GroupOpenOptions): Promise<OpenOutcome>;
  /**
   * idempotent reduce-only close of every leg; `detail` (why, in words) is kept on the group's
   * record beside the reason
   */
  closeGroup(
    groupId: string,
    reason: CloseReason,
    detail?: string,
    pricing?: ClosePricing,
  ): Promise<CloseOutcome>;
  /** close every group of this instance and sweep positions of its accounts matching the filter */
  flatten(filter: { venue?: string; account?: string }, reason: CloseReason): Promise<FlattenResult>;
  /**
   * Set the account's leverage and margin mode on an instrument (before opening there); a dry run
   * logs it and sends nothing. Absent where the host offers no such intent.
   */
  setLeverage?(
    venue: string,
    account: string,
    symbol: string,
    leverage: number,
    mode: MarginMode,
  ): Promise<void>;
  placeOrder(intent: PlaceOrderIntent): Promise<PlaceOutcome>;
  /** a cancel that loses the race to a fill answers `lost` with status `filled`, never a throw */
  cancelOrder(clientOrderId: string): Promise<CancelOutcome>;
  amendOrder(clientOrderId: string, change: AmendRequest): Promise<AmendOutcome>;
}

// ---- events, timers, state ---------------------------------------------------------------------

export interface GroupStateEvent {
  readonly groupId: string;
  readonly status: GroupStatus;
  readonly reason: string | null;
  readonly ts: number;
}

export interface FundingEvent {
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  /** signed Money (pico-USD, toUsd to read): negative means the account paid */
  readonly amount: bigint;
  readonly ratePerHour: number;
  readonly ts: number;
}

export interface StrategyTimer {
  /** unique within the instance (the engine stores `<instance>.<id>`) */
  readonly id: string;
  /** handler name within the instance (the engine stores `<instance>.<kind>`) */
  readonly kind: string;
  readonly dueAt: number;
  readonly payload: JsonValue;
}

/** Persistent timers: they survive a restart, and an overdue one fires once at start. */
export interface Timers {
  on(kind: string, handler: (timer: StrategyTimer) => Promise<void> | void): void;
  schedule(timer: StrategyTimer): Promise<void>;
  cancel(id: string): Promise<void>;
}

/** The instance's own small persistent state (stored as `<instance>.<key>`). */
export interface StateSlot {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
  /** several puts together (one transaction where the store has them); absent: put one by one */
  putMany?(entries: readonly (readonly [key: string, value: string])[]): Promise<void>;
}

/** Subscriptions; each returns its unsubscribe. Listeners run synchronously: keep them short. */
export interface StrategyEvents {
  onBook(listener: (e: MarketEvent & { type: "book" | "bbo" }) => void): Unsubscribe;
  onTrade(listener: (e: MarketEvent & { type: "trade" }) => void): Unsubscribe;
  /** fills on this instance's accounts */
  onFill(listener: (venue: string, fill: Fill) => void): Unsubscribe;
  onOrderUpdate(listener: (u: OrderUpdate) => void): Unsubscribe;
  /** funding payments on this instance's accounts */
  onFunding(listener: (e: FundingEvent) => void): Unsubscribe;
  onGroupState(listener: (e: GroupStateEvent) => void): Unsubscribe;
  onTimer(listener: (t: StrategyTimer) => void): Unsubscribe;
}

export interface StrategyLogger {
  log(level: LogLevel, msg: string, ctx?: Record<string, unknown>): void;
}

export interface StrategyContext {
  /** the instance name: the groups' `strategy` column, the prefix of its timers and state keys */
  readonly instance: string;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: StrategyLogger;
  readonly alerts: { raise(alert: Alert): void };
  readonly timers: Timers;
  readonly state: StateSlot;
  readonly market: MarketView;
  readonly portfolio: PortfolioView;
  readonly events: StrategyEvents;
  readonly intents: Intents;
  /** the instance's groups as the store has them (`groupIds`: only those) */
  groups(filter?: { activeOnly?: boolean; groupIds?: readonly string[] }): Promise<readonly GroupRecord[]>;
  /**
   * The venue's circuit breaker (engine.circuit_breaker): "closed" when its requests succeed;
   * "open" or "half_open" after repeated failures, when the engine refuses new exposure there
   */
  venueCircuit(venue: string): "closed" | "open" | "half_open";
}

// ---- the strategy ------------------------------------------------------------------------------

/** A close request: one of the instance's groups, or all of them. */
export type CloseTarget = string | "all";

/** What a status screen shows of a running instance; plain data. */
export interface StrategyView {
  readonly instance: string;
  readonly kind: string;
  readonly running: boolean;
  readonly groups: readonly { readonly id: string }[];
  readonly [k: string]: unknown;
}

export interface Strategy {
  readonly kind: string;
  readonly instance: string;
  start(ctx: StrategyContext): Promise<void>;
  /** stop acting; positions, timers and state stay persisted */
  stop(): Promise<void>;
  close(target: CloseTarget, reason: CloseReason): Promise<void>;
  view(): StrategyView;
}

/** Everything an instance is configured with besides its kind-specific settings. */
export interface InstanceSpec {
  readonly name: string;
  readonly kind: string;
  readonly wallets: readonly string[];
  readonly venues: readonly string[];
  /** seed of the instance's rng */
  readonly seed: number | string;
}

// ---- services: I/O a strategy may ask for, built by the composition root ----------------------

export interface ChatMessage {
  readonly role: "system" | "user" | "assistant";
  readonly content: string;
}

/** What the model is asked: the messages, and the JSON schema its reply should follow. */
export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  /** sent as response_format json_schema where the endpoint is configured for it */
  readonly jsonSchema?: { readonly name: string; readonly schema: Record<string, unknown> };
}

/** Token counts of one call; costUsd is the provider's own figure, null when it gives none. */
export interface ChatUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
  readonly providerCostUsd: number | null;
}

export type ChatFailure = "timeout" | "rate_limited" | "server_error" | "http_error" | "network" | "bad_body";

export type ChatResult =
  | {
      readonly ok: true;
      readonly content: string;
      readonly model: string;
      readonly usage: ChatUsage;
      /** HTTP requests made, retries included */
      readonly attempts: number;
    }
  | {
      readonly ok: false;
      readonly failure: ChatFailure;
      /** what went wrong, never the API key */
      readonly detail: string;
      readonly attempts: number;
    };

/**
 * A chat model. The agent never does I/O of its own: the composition root hands it one of these
 * (an OpenAI-compatible HTTP client, src/app/llm/), and a replay hands it the stored replies.
 */
export interface ChatModel {
  complete(request: ChatRequest): Promise<ChatResult>;
}

/** How to reach a chat model, from an instance's settings. */
export interface ChatSettings {
  readonly baseUrl: string;
  readonly model: string;
  readonly temperature: number;
  readonly topP: number;
  readonly maxTokens: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly retryBackoffMs: number;
  readonly responseFormat: "json_schema" | "json_object" | "none";
  /** environment variable with the key, when no key was configured */
  readonly apiKeyEnv: string;
  /** keystore wallet whose `llm` account holds the key (the composition root unlocks it); wins */
  readonly apiKeyKeystore?: string | null;
}

/** Capabilities with I/O that the composition root offers to strategies that need them. */
export interface StrategyServices {
  /** undefined: no model can be reached here (an agent instance then refuses to start) */
  readonly chatModel?: (settings: ChatSettings) => ChatModel;
}

/** A kind of strategy: its settings' schema and how to build an instance. */
export interface StrategyKind<S extends z.ZodType = z.ZodType> {
  readonly kind: string;
  readonly schema: S;
  create(spec: InstanceSpec, config: z.output<S>, services: StrategyServices): Strategy;
}
