/**
 * A first Hyperliquid protocol emulator on a loopback port: `POST /info` (`meta`, `openOrders`)
 * and `POST /exchange` (`order`, `cancel`, `cancelByCloid`, `noop`, `updateLeverage`,
 * `scheduleCancel`, `approveAgent`), every request's signer recovered by `./verify.ts` (which
 * shares nothing with the connector's signer), checked to be a known user or an agent that user
 * approved, and its nonce checked against the signer's window (HLd "Nonces and API wallets").
 * Orders rest in a plain list: the simulated exchange core behind it (matching, margin) is the
 * integrator's next step. Answers use the venue's payload shapes and error texts (VENUES.md §1.4).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isValidPrice, isValidSize, MIN_ORDER_NOTIONAL_USD } from "../capabilities.ts";
import type { Meta } from "../parse.ts";
import { recoverSigner } from "./verify.ts";

export interface EmulatorOptions {
  readonly mainnet?: boolean;
  readonly meta: Meta;
  /** master addresses with an account (lower case) */
  readonly users?: readonly string[];
  readonly now?: () => number;
  /** how many highest nonces are kept per signer (the venue: 20) */
  readonly nonceSetSize?: number;
}

interface RestingOrder {
  readonly user: string;
  readonly coin: string;
  readonly asset: number;
  readonly side: "B" | "A";
  readonly limitPx: string;
  readonly sz: string;
  readonly oid: number;
  readonly cloid?: string;
  readonly timestamp: number;
}

const DAY = 86_400_000;
const DESERIALIZE_ERROR = "Failed to deserialize the JSON body into the target type";

type Json = Record<string, unknown>;

export class HlEmulator {
  readonly mainnet: boolean;
  readonly #meta: Meta;
  readonly #users: Set<string>;
  /** agent address → master address */
  readonly agents = new Map<string, string>();
  readonly #nonces = new Map<string, number[]>();
  readonly #now: () => number;
  readonly #setSize: number;
  readonly resting: RestingOrder[] = [];
  #nextOid = 1_000_000;
  #server: Server | undefined;

  constructor(opts: EmulatorOptions) {
    this.mainnet = opts.mainnet ?? false;
    this.#meta = opts.meta;
    this.#users = new Set((opts.users ?? []).map((u) => u.toLowerCase()));
    this.#now = opts.now ?? Date.now;
    this.#setSize = opts.nonceSetSize ?? 20;
  }

  /** Listen on 127.0.0.1 (port 0: any free port); resolves to the base URL. */
  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((e) => send(res, 500, { error: String(e) }));
    });
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const s = this.#server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") return send(res, 405, "method not allowed");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: Json;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Json;
    } catch {
      return send(res, 422, DESERIALIZE_ERROR);
    }
    if (req.url === "/info") return this.#info(body, res);
    if (req.url === "/exchange") return send(res, 200, this.#exchange(body));
    return send(res, 404, "not found");
  }

  #info(body: Json, res: ServerResponse): void {
    send(res, ...this.#infoAnswer(body));
  }

  #infoAnswer(body: Json): [number, unknown] {
    if (body.type === "meta") return [200, this.#meta];
    if (body.type === "openOrders" && typeof body.user === "string") {
      const user = body.user.toLowerCase();
      const open = this.resting
        .filter((o) => o.user === user)
        .map(({ coin, side, limitPx, sz, oid, timestamp, cloid }) => ({
          coin,
          side,
          limitPx,
          sz,
          oid,
          timestamp,
          origSz: sz,
          ...(cloid ? { cloid } : {}),
        }));
      return [200, open];
    }
    return [422, DESERIALIZE_ERROR];
  }

  #exchange(body: Json): unknown {
    let rec: ReturnType<typeof recoverSigner>;
    try {
      rec = recoverSigner(body, this.mainnet);
    } catch {
      return err(DESERIALIZE_ERROR);
    }
    const action = body.action as Json;
    const nonce = body.nonce as number;
    if (rec.signer === undefined) return err("Invalid signature.");
    const signer = rec.signer;
    if (rec.kind === "userSigned") {
      if (rec.hyperliquidChain !== (this.mainnet ? "Mainnet" : "Testnet"))
        return err("Invalid hyperliquidChain.");
      if (!this.#users.has(signer)) return err(`User or API Wallet ${signer} does not exist.`);
      const bad = this.#useNonce(signer, nonce);
      if (bad) return err(bad);
      if (action.type === "approveAgent") {
        this.agents.set(String(action.agentAddress).toLowerCase(), signer);
        return { status: "ok", response: { type: "default" } };
      }
      return err(`Unsupported action ${String(action.type)}.`);
    }
    const master = this.#users.has(signer) ? signer : this.agents.get(signer);
    if (!master) return err(`User or API Wallet ${signer} does not exist.`);
    const vault = typeof body.vaultAddress === "string" ? body.vaultAddress.toLowerCase() : undefined;
    const user = vault ?? master;
    if (vault && !this.#users.has(vault)) return err(`Vault ${vault} does not exist.`);
    const expiresAfter = body.expiresAfter;
    // text unverified: the venue's wording for an expired action is not in the public docs
    if (typeof expiresAfter === "number" && this.#now() > expiresAfter) return err("Action expired.");
    const bad = this.#useNonce(signer, nonce);
    if (bad) return err(bad);
    return this.#l1(action, user);
  }

  /**
   * The signer's nonce window: unused, above the smallest of the highest `nonceSetSize` kept,
   * within (now − 2 days, now + 1 day). Error texts unverified beyond their prefix.
   */
  #useNonce(signer: string, nonce: number): string | undefined {
    const now = this.#now();
    if (nonce <= now - 2 * DAY || nonce >= now + DAY)
      return `Invalid nonce: ${nonce} is outside the allowed window.`;
    const set = this.#nonces.get(signer) ?? [];
    if (set.includes(nonce)) return "Invalid nonce: duplicate nonce.";
    if (set.length >= this.#setSize && nonce <= set[0]) return "Invalid nonce: nonce too small.";
    set.push(nonce);
    set.sort((a, b) => a - b);
    if (set.length > this.#setSize) set.shift();
    this.#nonces.set(signer, set);
    return undefined;
  }

  #l1(action: Json, user: string): unknown {
    switch (action.type) {
      case "order": {
        const orders = action.orders as Json[];
        return ok("order", { statuses: orders.map((o) => this.#place(o, user)) });
      }
      case "cancel":
      case "cancelByCloid": {
        const cancels = action.cancels as Json[];
        const statuses = cancels.map((c) => {
          const i = this.resting.findIndex(
            (o) =>
              o.user === user &&
              (action.type === "cancel"
                ? o.asset === c.a && o.oid === c.o
                : o.asset === c.asset && o.cloid === String(c.cloid).toLowerCase()),
          );
          if (i < 0) return { error: "Order was never placed, already canceled, or filled." };
          this.resting.splice(i, 1);
          return "success";
        });
        return ok("cancel", { statuses });
      }
      case "noop":
      case "updateLeverage":
      case "scheduleCancel":
        return { status: "ok", response: { type: "default" } };
      default:
        return err(`Unsupported action ${String(action.type)}.`);
    }
  }

  #place(o: Json, user: string): unknown {
    const asset = o.a as number;
    const info = this.#meta.universe[asset];
    if (!info) return { error: `Invalid asset ${asset}.` };
    const px = String(o.p);
    const sz = String(o.s);
    if (!isValidPrice(px, info.szDecimals)) return { error: "Price must be divisible by tick size." };
    if (!isValidSize(sz, info.szDecimals)) return { error: "Order has invalid size." };
    if (Number(px) * Number(sz) < MIN_ORDER_NOTIONAL_USD) {
      return { error: `Order must have minimum value of $${MIN_ORDER_NOTIONAL_USD}.` };
    }
    const cloid = typeof o.c === "string" ? o.c.toLowerCase() : undefined;
    if (cloid && this.resting.some((r) => r.user === user && r.cloid === cloid)) {
      return { error: "Duplicate cloid." }; // text unverified
    }
    const oid = this.#nextOid++;
    this.resting.push({
      user,
      coin: info.name,
      asset,
      side: o.b ? "B" : "A",
      limitPx: px,
      sz,
      oid,
      cloid,
      timestamp: this.#now(),
    });
    return { resting: cloid ? { oid, cloid } : { oid } };
  }
}

function ok(type: string, data: unknown): unknown {
  return { status: "ok", response: { type, data } };
}

function err(text: string): unknown {
  return { status: "err", response: text };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": typeof body === "string" ? "text/plain" : "application/json" });
  res.end(text);
}
