import { stringify as stringifyToml } from "smol-toml";
import { parseDocument } from "yaml";
import { PerpbotError } from "../core/errors.ts";

/**
 * `perpbot config import-seed002`: seed 002's `config/risk.yaml` turned into our TOML. Scalp's
 * keys sit at the top level of risk.yaml (its `scalp_management.*` block holds the exits), carry's
 * under `carry:`, the kill switch under `global:`. The key names and their renames come from
 * STRATEGIES.md sections 1.2 and 2.2 (the seed column); a key we do not know is listed, never
 * dropped silently, and a key the seed shipped but never read is flagged: perpbot honours it, so
 * the behaviour differs from the seed's.
 */

export type SeedValue = number | boolean | string;

export interface MappedKey {
  /** dotted path in risk.yaml, e.g. `carry.max_hold_hours` */
  readonly seedKey: string;
  /** dotted path in our config, e.g. `strategies.carry.hold_max_hours` */
  readonly key: string;
  readonly seedValue: unknown;
  readonly value: SeedValue;
  /** set when the value changed unit or the seed behaved differently with it */
  readonly note?: string;
}

export interface UnmappedKey {
  readonly seedKey: string;
  readonly value: unknown;
  readonly reason: string;
}

export interface Seed002Import {
  readonly mapped: readonly MappedKey[];
  readonly unmapped: readonly UnmappedKey[];
  /** our config as a plain object (strategies.<carry>, strategies.<scalp>, engine.kill_switch) */
  readonly config: Record<string, unknown>;
  readonly toml: string;
}

/** The file does not parse, or is not a mapping: exit code 2 like every config mistake. */
export class Seed002Error extends PerpbotError {
  readonly exitCode: number = 2;
  constructor(message: string) {
    super("seed002_invalid", message);
  }
}

type Kind = "number" | "boolean" | "integer";

/**
 * How one seed key maps: our key (within the instance, or a full path from the root when it starts
 * with `/`), the type, and a conversion. `percent` reads a fraction key written as a percentage
 * (the seed mixes both: its README has `max_spread_pct` 1.0 for 1 %); any value above 1 is read as
 * a percentage and said so.
 */
interface Rule {
  readonly to: string;
  readonly kind: Kind;
  readonly percent?: boolean;
  /** the seed wrote this key in percent whatever its size (README: `max_spread_pct` 1.0 = 1 %) */
  readonly alwaysPercent?: boolean;
  readonly note?: string;
}

const same = (kind: Kind = "number", extra: Partial<Rule> = {}): Rule => ({ to: "", kind, ...extra });
const to = (key: string, kind: Kind = "number", extra: Partial<Rule> = {}): Rule => ({
  to: key,
  kind,
  ...extra,
});
const NEVER_READ =
  "seed 002 shipped this key but never read it; perpbot honours it, so trading differs from the seed's";

/** risk.yaml top level: scalp (STRATEGIES.md 2.2). */
const SCALP: Readonly<Record<string, Rule>> = {
  scalp_enabled: to("enabled", "boolean"),
  scalp_paper_equity: to("paper_equity_usd"),
  spread_entry_bps: same(),
  slippage_bps_buffer: same(),
  max_edge_bps: same(),
  max_volatility_bps: same(),
  required_confirms: same("integer"),
  max_bbo_age_ms: same(),
  max_spread_pct: same("number", { alwaysPercent: true }),
  estimated_exit_fees_bps: same(),
  min_depth_multiple: same(),
  edge_decay_ratio: same(),
  min_trade_gap_s: same(),
  symbol_cooldown_s: same(),
  alloc_frac_per_trade: same("number", { percent: true }),
  max_scalp_total_alloc_pct: same("number", { percent: true }),
  notional_per_trade_min: same(),
  notional_per_trade_max: same(),
  min_slippage_bps: same(),
  ioc_emulation_ms: same(),
  trailing_arm_bps: same(),
  trailing_giveback_pct: same("number", { percent: true }),
  bad_symbol_s: same(),
  max_hold_hours: same(),
  exit_slippage_bps: same(),
  flatten_timeout_s: same("number", { note: NEVER_READ }),
  max_slippage_bps: same(),
  liquidation_close_pct: same("number", { percent: true }),
  sanity_max_wait_s: same(),
  sanity_rel_tol: same(),
  // the seed's global flag sits at the top level, where scalp's keys are
  dry_run_live: to("dry_run", "boolean", {
    note: "the seed's global flag: set dry_run on the carry instance too if you want it there",
  }),
  "scalp_management.stop_loss_bps": to("stop_loss_bps"),
  "scalp_management.take_profit_pct": to("take_profit_pct", "number", { percent: true }),
  "scalp_management.min_profit_bps": to("min_profit_bps"),
  "scalp_management.max_hold_hours": to("max_hold_hours"),
  "scalp_management.trailing_arm_bps": to("trailing_arm_bps"),
  "scalp_management.trailing_giveback_pct": to("trailing_giveback_pct", "number", { percent: true }),
  "global.max_total_notional_usd": to("max_total_notional_usd", "number", { note: NEVER_READ }),
  // the kill switch is the engine's, over every venue (STRATEGIES.md section 0); both in percent
  "global.max_drawdown_pct": to("/engine.kill_switch.max_drawdown_pct"),
};

/** risk.yaml `carry:` (STRATEGIES.md 1.2): our names unless renamed here. */
const CARRY_SAME_NUMBERS = [
  "paper_equity_usd",
  "min_funding_bps",
  "premium_funding_bps",
  "min_volume_premium_usd",
  "min_volume_24h_usd",
  "max_breakeven_hours",
  "max_rate_age_minutes",
  "funding_check_interval_s",
  "slippage_bps_buffer",
  "max_bbo_age_ms",
  "min_depth_usd",
  "sanity_alert_bps",
  "entry_retry_window_s",
  "maker_timeout_s",
  "yield_tier1_bps",
  "leverage",
  "scale_up_cooldown_s",
  "optimization_buffer_bps",
  "rebalance_min_profit_bps",
  "mtm_check_interval_s",
  "mtm_grace_minutes",
  "mtm_yield_multiplier",
  "mtm_multiplier_window_hours",
  "cushion_ratio",
  "cushion_cap_bps",
  "time_bonus_start_hours",
  "time_bonus_bps_per_hour",
  "time_bonus_cap_bps",
  "spike_drop_bps",
  "spike_window_s",
  "spike_protect_s",
  "spike_buffer_bps",
  "mtm_trailing_min_bps",
  "high_yield_threshold_bps",
  "high_yield_tp_decay_hours",
  "mtm_tp_bps",
  "low_yield_exit_bps",
  "early_reversal_min_minutes",
  "hold_min_hours",
  "hold_max_hours",
  "exit_max_bbo_age_ms",
  "deferred_exit_max_s",
  "max_slippage_bps",
  "entry_failure_cooldown_minutes",
  "forced_exit_cooldown_minutes",
  "reversal_window_hours",
  "reversal_blocklist_hours",
  "pnl_blocklist_usd",
  "pnl_blocklist_hours",
] as const;
const CARRY_SAME_FRACTIONS = [
  "edge_decay_ratio",
  "min_fill_ratio",
  "max_carry_total_alloc_pct",
  "carry_alloc_pct",
  "max_symbol_alloc_pct",
  "scale_up_slice_pct",
  "high_yield_tp_pct_initial",
  "high_yield_tp_pct_after_decay",
  "liquidation_close_pct",
  "liquidation_warn_pct",
] as const;
const CARRY_SAME_INTEGERS = [
  "required_confirms",
  "entry_retry_max",
  "max_scale_ups",
  "max_pairs_with_scaleup",
  "stale_exit_checks",
  "reversal_blocklist_threshold",
] as const;

const CARRY: Readonly<Record<string, Rule>> = {
  ...Object.fromEntries(CARRY_SAME_NUMBERS.map((k) => [k, same()])),
  ...Object.fromEntries(CARRY_SAME_FRACTIONS.map((k) => [k, same("number", { percent: true })])),
  ...Object.fromEntries(CARRY_SAME_INTEGERS.map((k) => [k, same("integer")])),
  enabled: same("boolean"),
  max_spread_pct: same("number", { alwaysPercent: true }),
  max_carry_total_alloc_pct: same("number", {
    percent: true,
    note: "perpbot's default is 0.50: the seed's 0.80 thins one venue's margin (STRATEGIES.md 1.2)",
  }),
  maker_entry: same("boolean"),
  maker_order_enabled: to("maker_entry", "boolean"),
  dry_run_live: to("dry_run", "boolean"),
  v2_edge_decay_threshold: to("edge_decay_ratio", "number", { percent: true }),
  v2_retry_max: to("entry_retry_max", "integer"),
  v2_retry_attempts: to("entry_retry_max", "integer"),
  v2_retry_window_s: to("entry_retry_window_s"),
  max_scale_ups_per_position: to("max_scale_ups", "integer"),
  yield_tier1_threshold_bps: to("yield_tier1_bps"),
  high_yield_tp_pct_after_4h: to("high_yield_tp_pct_after_decay", "number", { percent: true }),
  pnl_loss_blocklist_threshold_usd: to("pnl_blocklist_usd"),
  // the seed's code read max_hold_hours while its config shipped hold_max_hours (STRATEGIES.md 1.2)
  max_hold_hours: to("hold_max_hours"),
  max_position_usd: same("number", { note: NEVER_READ }),
  mtm_stop_bps: same("number", { note: `${NEVER_READ} (its stop came from code defaults)` }),
  mtm_trailing_bps: same("number", { note: NEVER_READ }),
};

/** Keys with a known reason not to map: they are listed with it, never silently dropped. */
const NOT_MAPPED: Readonly<Record<string, string>> = {
  paper_mode: 'paper is perpbot\'s default; live needs mode = "live" in the config and the --live flag',
  "carry.paper_mode":
    'paper is perpbot\'s default; live needs mode = "live" in the config and the --live flag',
  "carry.tick_interval_s": "dropped: carry reacts to events; its scans run every funding_check_interval_s",
  scalp_paper_mode: 'paper is perpbot\'s default; live needs mode = "live" in the config and the --live flag',
};

export interface Seed002Options {
  /** instance names under [strategies.*]; defaults "carry" and "scalp" */
  readonly carryName?: string;
  readonly scalpName?: string;
  /** the file name, for messages */
  readonly source?: string;
}

/** Flattens nested maps to dotted paths; arrays and scalars are leaves. */
function leaves(node: unknown, prefix: string, out: Map<string, unknown>): void {
  if (node !== null && typeof node === "object" && !Array.isArray(node)) {
    for (const [k, v] of Object.entries(node as Record<string, unknown>))
      leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, node);
}

function setPath(root: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = root;
  for (const k of path.slice(0, -1)) {
    const next = node[k];
    if (next === undefined) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

function convert(raw: unknown, rule: Rule): { value: SeedValue; note?: string } | string {
  if (rule.kind === "boolean") {
    if (typeof raw === "boolean") return { value: raw };
    return `expected true or false, found ${JSON.stringify(raw)}`;
  }
  if (typeof raw !== "number" || !Number.isFinite(raw))
    return `expected a number, found ${JSON.stringify(raw)}`;
  if (rule.kind === "integer" && !Number.isInteger(raw)) return `expected a whole number, found ${raw}`;
  if (rule.alwaysPercent === true || (rule.percent === true && raw > 1)) {
    const value = Number((raw / 100).toPrecision(12));
    return { value, note: `read as a percentage: ${raw} % is ${value} (perpbot's _pct keys are fractions)` };
  }
  return { value: raw, ...(rule.note === undefined ? {} : { note: rule.note }) };
}

/** Converts the text of a seed 002 risk.yaml. Throws Seed002Error when the YAML does not parse. */
export function importSeed002(yamlText: string, options: Seed002Options = {}): Seed002Import {
  const source = options.source ?? "risk.yaml";
  const doc = parseDocument(yamlText, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const where = e.linePos?.[0] ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : "";
    throw new Seed002Error(`${source}${where ? ` ${where}` : ""}: ${e.message.split("\n")[0]}`);
  }
  const data = doc.toJS() as unknown;
  if (data === null || data === undefined) throw new Seed002Error(`${source} is empty: nothing to import`);
  if (typeof data !== "object" || Array.isArray(data))
    throw new Seed002Error(
      `${source}: expected a mapping of keys at the top level, found ${Array.isArray(data) ? "a list" : typeof data}`,
    );

  const carryName = options.carryName ?? "carry";
  const scalpName = options.scalpName ?? "scalp";
  const flat = new Map<string, unknown>();
  leaves(data, "", flat);

  const mapped: MappedKey[] = [];
  const unmapped: UnmappedKey[] = [];
  const config: Record<string, unknown> = {};
  const strategies: Record<string, Record<string, unknown>> = {};
  const instance = (name: string, kind: string) => {
    config.strategies = strategies;
    strategies[name] ??= { kind };
    return name;
  };

  for (const [seedKey, raw] of flat) {
    const inCarry = seedKey.startsWith("carry.");
    const rule = inCarry ? CARRY[seedKey.slice("carry.".length)] : SCALP[seedKey];
    if (rule === undefined) {
      unmapped.push({
        seedKey,
        value: raw,
        reason: NOT_MAPPED[seedKey] ?? "not a seed 002 key perpbot knows",
      });
      continue;
    }
    const converted = convert(raw, rule);
    if (typeof converted === "string") {
      unmapped.push({ seedKey, value: raw, reason: converted });
      continue;
    }
    const leaf = rule.to === "" ? seedKey.slice(seedKey.lastIndexOf(".") + 1) : rule.to;
    let key: string;
    if (leaf.startsWith("/")) key = leaf.slice(1);
    else {
      const name = inCarry ? instance(carryName, "carry") : instance(scalpName, "scalp");
      key = `strategies.${name}.${leaf}`;
    }
    const earlier = mapped.find((m) => m.key === key);
    if (earlier !== undefined) {
      unmapped.push({ seedKey, value: raw, reason: `${key} was already set from ${earlier.seedKey}` });
      continue;
    }
    setPath(config, key.split("."), converted.value);
    mapped.push({
      seedKey,
      key,
      seedValue: raw,
      value: converted.value,
      ...(converted.note ? { note: converted.note } : {}),
    });
  }
  return { mapped, unmapped, config, toml: renderToml(config, source, mapped, unmapped) };
}

function renderToml(
  config: Record<string, unknown>,
  source: string,
  mapped: readonly MappedKey[],
  unmapped: readonly UnmappedKey[],
): string {
  const lines = [
    `# Converted from seed 002 ${source} by \`perpbot config import-seed002\`.`,
    '# Add the wallets (and venues) of each instance before running: `wallets = ["w1"]`.',
    "# Keys not set here keep perpbot's defaults (docs/strategies/carry.md, scalp.md).",
  ];
  for (const m of mapped) if (m.note) lines.push(`# ${m.key}: ${m.note}`);
  if (unmapped.length > 0) {
    lines.push("# Not imported:");
    for (const u of unmapped) lines.push(`#   ${u.seedKey} = ${JSON.stringify(u.value)}: ${u.reason}`);
  }
  return `${lines.join("\n")}\n\n${stringifyToml(config)}\n`;
}
