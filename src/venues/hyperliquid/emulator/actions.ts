/**
 * `/exchange` actions on the engine, answered in the venue's shapes (HLd "Exchange endpoint";
 * VENUES.md §1.4): `{"status":"ok","response":{"type":"order"|"cancel"|"default",...}}` or
 * `{"status":"err","response":"<text>"}`. The caller has already verified the signer, nonce,
 * expiry and budgets.
 */
import type { TimerHandle } from "../../../core/clock.ts";
import { usd } from "../../../core/money.ts";
import { VenueRejectError } from "../../../core/venue.ts";
import { changeIsolatedMargin, changeLeverage } from "../../sim/account-admin.ts";
import type { Auth } from "./auth.ts";
import type { HlEngine, StatusEntry } from "./engine.ts";
import { placeOrder, type WireOrder } from "./place.ts";

type Json = Record<string, unknown>;

export const ok = (type: string, data?: unknown) => ({
  status: "ok" as const,
  response: data === undefined ? { type } : { type, data },
});
export const err = (text: string) => ({ status: "err" as const, response: text });

export const ACTION_TEXTS = {
  missingOrder: "Order was never placed, already canceled, or filled.",
  modifyGone: "Cannot modify canceled or filled order",
  // the venue's text, as nktkas/hyperliquid's tests against the live API expect it
  scheduleTooEarly: "Scheduled cancel time too early, must be at least 5 seconds from now.",
  // the venue's wording up to "Limit is" (strings of the node binary, quoted in public notes);
  // the number after it is the documented cap
  scheduleTooMany: "Too many scheduled cancels triggered for the day. Limit is 10",
} as const;

const DAY = 86_400_000;

export class Actions {
  readonly engine: HlEngine;
  readonly auth: Auth;
  readonly #schedules = new Map<string, { timer: TimerHandle; time: number }>();
  readonly #triggers = new Map<string, { day: number; n: number }>();

  constructor(engine: HlEngine, auth: Auth) {
    this.engine = engine;
    this.auth = auth;
  }

  run(user: string, action: Json): unknown {
    const e = this.engine;
    switch (action.type) {
      case "order": {
        const orders = action.orders as WireOrder[];
        if (orders.length === 0) return err("Order has no orders.");
        return ok("order", { statuses: orders.map((o) => placeOrder(e, user, o)) });
      }
      case "cancel":
      case "cancelByCloid": {
        const cancels = action.cancels as Json[];
        const statuses = cancels.map((c) => {
          const o = action.type === "cancel" ? e.order(user, Number(c.o)) : e.order(user, String(c.cloid));
          const asset = action.type === "cancel" ? c.a : c.asset;
          if (!o || o.asset !== asset || !e.cancel(o)) return { error: ACTION_TEXTS.missingOrder };
          return "success";
        });
        return ok("cancel", { statuses });
      }
      case "modify": {
        const s = this.#modify(user, action.oid as number | string, action.order as WireOrder);
        return "error" in s ? err(s.error) : ok("default");
      }
      case "batchModify": {
        const mods = action.modifies as { oid: number | string; order: WireOrder }[];
        return ok("order", { statuses: mods.map((m) => this.#modify(user, m.oid, m.order)) });
      }
      case "updateLeverage":
        return this.#admin(() => {
          const coin = e.coinOf(action.asset as number);
          if (!coin) throw new VenueRejectError("invalid_asset", `Invalid asset ${String(action.asset)}.`);
          changeLeverage(
            e.exchange,
            user,
            coin.name,
            action.leverage as number,
            action.isCross ? "cross" : "isolated",
          );
        });
      case "updateIsolatedMargin":
        return this.#admin(() => {
          const coin = e.coinOf(action.asset as number);
          if (!coin) throw new VenueRejectError("invalid_asset", `Invalid asset ${String(action.asset)}.`);
          // ntli: USD × 1e6, signed (HLd "Update isolated margin")
          const amount = usd((action.ntli as number) / 1e6);
          e.absorb(changeIsolatedMargin(e.exchange, user, coin.name, amount, e.clock.now()));
        });
      case "scheduleCancel":
        return this.#scheduleCancel(user, action.time as number | undefined);
      case "noop":
        return ok("default");
      default:
        return err(`Unsupported action type ${String(action.type)}.`);
    }
  }

  /** approveAgent: the master names an agent key (one unnamed, named ones by name). */
  approveAgent(master: string, action: Json): unknown {
    const agent = String(action.agentAddress).toLowerCase();
    const name = typeof action.agentName === "string" ? action.agentName : "";
    for (const [a, v] of this.auth.agents)
      if (v.master === master && v.name === name) this.auth.agents.delete(a);
    // the venue encodes an expiry in the name: "<name> valid_until <ms>"
    const until = / valid_until (\d+)$/.exec(name);
    this.auth.agents.set(agent, { master, name, ...(until ? { validUntil: Number(until[1]) } : {}) });
    return ok("default");
  }

  /** The user's armed cancel time, if any. */
  scheduledCancel(user: string): number | undefined {
    return this.#schedules.get(user)?.time;
  }

  /** How many times the user's switch fired on the UTC day of `now`. */
  scheduleTriggers(user: string, now: number): number {
    const t = this.#triggers.get(user);
    return t && t.day === Math.floor(now / DAY) ? t.n : 0;
  }

  close(): void {
    for (const s of this.#schedules.values()) this.engine.clock.cancel(s.timer);
    this.#schedules.clear();
  }

  #modify(user: string, oid: number | string, order: WireOrder): StatusEntry {
    const old = this.engine.order(user, oid);
    if (old?.status !== "open") return { error: ACTION_TEXTS.modifyGone };
    if (old === undefined || old.asset !== order.a) return { error: ACTION_TEXTS.modifyGone };
    // a modify is a cancel and a new order (new oid, the same cloid), as on the venue
    return placeOrder(this.engine, user, order, old);
  }

  #admin(fn: () => void): unknown {
    try {
      fn();
      return ok("default");
    } catch (e) {
      if (!(e instanceof VenueRejectError)) throw e;
      if (e.reason === "insufficient_margin") return err("Insufficient margin for isolated margin update.");
      if (e.reason === "position_open") return err("Cannot switch leverage type with open position.");
      if (e.reason === "invalid_leverage") return err("Invalid leverage value.");
      return err(e.message);
    }
  }

  #scheduleCancel(user: string, time: number | undefined): unknown {
    const clock = this.engine.clock;
    const now = clock.now();
    const prior = this.#schedules.get(user);
    if (time === undefined) {
      if (prior) clock.cancel(prior.timer);
      this.#schedules.delete(user);
      return ok("default");
    }
    if (!(time >= now + 5000)) return err(ACTION_TEXTS.scheduleTooEarly);
    const day = Math.floor(now / DAY);
    const t = this.#triggers.get(user);
    if (t && t.day === day && t.n >= 10) return err(ACTION_TEXTS.scheduleTooMany);
    if (prior) clock.cancel(prior.timer);
    const timer = clock.at(time, () => {
      this.#schedules.delete(user);
      const tr = this.#triggers.get(user);
      const d = Math.floor(clock.now() / DAY);
      this.#triggers.set(user, tr && tr.day === d ? { day: d, n: tr.n + 1 } : { day: d, n: 1 });
      this.engine.cancelAll(user, "scheduledCancel");
      this.onChange?.();
    });
    this.#schedules.set(user, { timer, time });
    return ok("default");
  }

  /** called after a timer changed state outside a request (the server publishes the events) */
  onChange?: () => void;
}
