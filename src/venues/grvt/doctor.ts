/**
 * `perpbot doctor` for `[venues.grvt]` (the contract: ../doctor-types.ts): the market-data host
 * reachable (`all_instruments`), the strategies' markets listed as perpetuals, and per wallet:
 * a wallet login (the signer's own EIP-712 signature), a read of the configured sub-account
 * (`account_summary`: the wallet may trade it), its equity, and positions and open orders
 * perpbot's store does not account for.
 */
import { WallClock } from "../../core/clock.ts";
import type { DoctorCheck, DoctorContext } from "../doctor-types.ts";
import { instrumentOf, perpetuals } from "./capabilities.ts";
import { chainIdOf, type GrvtConfig, hostsOf, isRealMoney } from "./config.ts";
import { GrvtHttp } from "./http.ts";
import { InstrumentsAnswer, parseAs } from "./parse.ts";
import * as reads from "./reads.ts";

const VENUE = "grvt";

export async function grvtDoctor(config: GrvtConfig, ctx: DoctorContext): Promise<DoctorCheck[]> {
  const hosts = hostsOf(config);
  const http = new GrvtHttp({
    hosts,
    timeoutMs: config.request_timeout_ms,
    clock: new WallClock(),
    chainId: chainIdOf(config.network),
  });
  const where = `${isRealMoney(config) ? "MAINNET" : config.rest_url === "" ? "testnet" : "local"} ${hosts.market}`;
  const rows: DoctorCheck[] = [];
  const row = (
    wallet: string | null,
    check: string,
    status: DoctorCheck["status"],
    detail: string,
    fix?: string,
  ) => rows.push({ venue: VENUE, wallet, check, status, detail, ...(fix === undefined ? {} : { fix }) });
  let list: ReturnType<typeof perpetuals>;
  try {
    list = perpetuals(
      parseAs(
        InstrumentsAnswer,
        await http.publicCall("/full/v1/all_instruments", { kind: ["PERPETUAL"], is_active: true }),
        "all_instruments",
      ).result,
      config.symbols,
    );
    row(null, "reachable", "ok", `${where}: ${list.length} perpetuals listed`);
  } catch (e) {
    row(
      null,
      "reachable",
      "fail",
      `${where}: no answer (${(e as Error).message})`,
      "check [venues.grvt] network / rest_url and this machine's network",
    );
    for (const a of ctx.accounts)
      row(a.account, "account", "skip", "venue unreachable: account checks not run");
    return rows;
  }
  const fees = { makerFeeBps: config.maker_fee_bps, takerFeeBps: config.taker_fee_bps };
  const instruments = new Map(
    list.map((m) => [m.instrument, instrumentOf(VENUE, m, fees, config.max_leverage)]),
  );
  const bases = new Set(list.map((m) => m.base));
  const unlisted = ctx.markets.filter((m) => !bases.has(m) && !instruments.has(m));
  if (unlisted.length > 0)
    row(
      null,
      "markets",
      "warn",
      `no grvt perpetual for: ${unlisted.join(", ")}`,
      "trade them on another venue, or remove them from the strategy's markets",
    );
  for (const a of ctx.accounts) {
    const signer = a.signer;
    const sub = a.identity.subAccount;
    if (signer === undefined || sub === undefined) {
      row(a.account, "keys", "skip", "no signer or sub-account: see the keys row");
      continue;
    }
    const rctx: reads.ReadContext = {
      http,
      known: (s) => instruments.get(s),
      boundOf: () => ({ signer, subAccountId: sub }),
    };
    try {
      await http.session(signer);
      row(a.account, "login", "ok", "wallet login accepted (gravity session)");
      const state = await reads.accountState(rctx, a.account);
      row(
        a.account,
        "balance",
        state.equityUsd > 0 ? "ok" : "warn",
        `sub-account ${sub}: equity ${state.equityUsd.toFixed(2)} USDT, available ${state.availableUsd.toFixed(2)}`,
        state.equityUsd > 0 ? undefined : "deposit USDT to the sub-account",
      );
      const open = await reads.openOrders(rctx, a.account);
      const foreign = open.filter((o) => !a.ownedOrders.has(o.clientOrderId));
      row(
        a.account,
        "orders",
        foreign.length === 0 ? "ok" : "warn",
        `${open.length} open, ${foreign.length} not placed by perpbot`,
        foreign.length === 0 ? undefined : "cancel them or leave them out of perpbot's markets",
      );
      const pos = await reads.positions(rctx, a.account);
      const odd = pos.filter((p) => (a.ownedPositions.get(p.symbol) ?? 0) !== p.sizeLots);
      row(
        a.account,
        "positions",
        odd.length === 0 ? "ok" : "warn",
        `${pos.length} open, ${odd.length} not matching perpbot's fills`,
        odd.length === 0 ? undefined : "close them or reconcile before a live run",
      );
    } catch (e) {
      row(
        a.account,
        "login",
        "fail",
        `sub-account ${sub}: ${(e as Error).message}`,
        "check the wallet's key in the keystore and that this wallet may trade the sub-account (GRVT API keys page)",
      );
    }
  }
  return rows;
}
