import ccxt from "ccxt";

/**
 * ccxt's GRVT exchange (npm ccxt js/src/grvt.js), for tests and benches only: an independent
 * signer to cross-check ours against. `builderFee: false` makes it sign the plain `Order` struct;
 * its default is the `OrderWithBuilderFee` struct with ccxt's own builder.
 */
export const BTC_INSTRUMENT = {
  instrument: "BTC_USDT_Perp",
  instrument_hash: "0x030501",
  base: "BTC",
  quote: "USDT",
  kind: "PERPETUAL",
  base_decimals: 9,
  quote_decimals: 6,
  tick_size: "0.1",
  min_size: "0.001",
  funding_interval_hours: 8,
};

// biome-ignore lint/suspicious/noExplicitAny: ccxt's exchange classes are untyped here
export function ccxtGrvt(privateKeyHex: string, builderFee = false): any {
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const ex = new (ccxt as any).grvt({ privateKey: `0x${privateKeyHex}`, options: { builderFee } });
  ex.setMarkets([ex.parseMarket(BTC_INSTRUMENT)]);
  return ex;
}
