import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import "../../app/sections.ts";
import { ConfigError } from "../../config/errors.ts";
import { loadConfig } from "../../config/load.ts";
import { importSeed002, Seed002Error, type Seed002Import } from "../../config/seed002.ts";
import { UsageError } from "../errors.ts";

export interface ImportSeed002Options {
  readonly out: string;
  readonly force?: boolean;
  readonly carryName: string;
  readonly scalpName: string;
  readonly strict?: boolean;
  readonly json?: boolean;
}

/** Exit code of `--strict` when some key was not mapped (the file is written all the same). */
export const UNMAPPED_EXIT_CODE = 3;

/**
 * Checks the converted config the way `perpbot run` would read it (every section, every rule),
 * from a scratch copy, so a value our schema refuses is reported against its seed key and no
 * file is written. Returns nothing; throws ConfigError naming the seed key of each problem.
 */
function validate(result: Seed002Import): void {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-seed002-"));
  try {
    const file = join(dir, "perpbot.toml");
    writeFileSync(file, result.toml);
    loadConfig({ file, env: {} });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const bySeed = new Map(result.mapped.map((m) => [m.key, m.seedKey]));
    throw new ConfigError(
      e.issues.map((i) => {
        const seedKey = bySeed.get(i.path);
        return { ...i, origin: seedKey === undefined ? "converted file" : `from risk.yaml ${seedKey}` };
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(result: Seed002Import, out: string): string {
  const lines = [
    `wrote ${out}: ${result.mapped.length} keys imported, ${result.unmapped.length} not imported`,
  ];
  const width = Math.max(0, ...result.mapped.map((m) => m.seedKey.length));
  for (const m of result.mapped) {
    lines.push(
      `  ${m.seedKey.padEnd(width)}  ->  ${m.key} = ${JSON.stringify(m.value)}${m.note ? `  (${m.note})` : ""}`,
    );
  }
  if (result.unmapped.length > 0) {
    lines.push("not imported:");
    for (const u of result.unmapped) lines.push(`  ${u.seedKey} = ${JSON.stringify(u.value)}: ${u.reason}`);
  }
  lines.push(
    "next: add `wallets = [...]` to each [strategies.*] table, then `perpbot config show` and `perpbot run`",
  );
  return `${lines.join("\n")}\n`;
}

/** `perpbot config import-seed002 risk.yaml [--out perpbot.toml]`. */
export function importSeed002Command(file: string, opts: ImportSeed002Options): void {
  const path = resolve(file);
  if (!existsSync(path))
    throw new UsageError(`${file}: no such file (give the path of seed 002's config/risk.yaml)`);
  const out = resolve(opts.out);
  if (existsSync(out) && opts.force !== true)
    throw new UsageError(`--out ${opts.out} exists: pass --force to overwrite it, or choose another --out`);
  for (const [flag, name] of [
    ["--carry-name", opts.carryName],
    ["--scalp-name", opts.scalpName],
  ] as const) {
    if (!/^[A-Za-z0-9_-]+$/.test(name))
      throw new UsageError(`${flag} ${JSON.stringify(name)}: use letters, digits, _ or - (a TOML bare key)`);
  }
  if (opts.carryName === opts.scalpName) throw new UsageError("--carry-name and --scalp-name must differ");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`${file}: cannot read it (${(e as Error).message})`);
  }
  const result = importSeed002(text, { carryName: opts.carryName, scalpName: opts.scalpName, source: file });
  if (result.mapped.length === 0)
    throw new Seed002Error(`${file}: no seed 002 key found (is it config/risk.yaml?); nothing written`);
  validate(result);
  writeFileSync(out, result.toml);
  process.stdout.write(
    opts.json
      ? `${JSON.stringify({ out, mapped: result.mapped, unmapped: result.unmapped }, null, 2)}\n`
      : report(result, opts.out),
  );
  if (opts.strict === true && result.unmapped.length > 0) process.exitCode = UNMAPPED_EXIT_CODE;
}
