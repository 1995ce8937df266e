import { resolve } from "node:path";
import type { Command } from "commander";
import { keystoreSection } from "../../config/sections.ts";
import { redactText } from "../../log/redact.ts";
import { privateKeyToAddress } from "../../wallets/address.ts";
import {
  addWallets,
  changePassword,
  createKeystore,
  type NewWallet,
  removeWallets,
  sharedKeyOwners,
  sharedKeyText,
} from "../../wallets/edit.ts";
import { KeystoreCorruptError, KeystoreUsageError } from "../../wallets/errors.ts";
import { openKeystore } from "../../wallets/keystore.ts";
import { DEFAULT_KDF, type KdfParams } from "../../wallets/payload.ts";
import { confirmOnTerminal, obtainPassword, SecretInput } from "../../wallets/prompt.ts";
import { parseProxy } from "../../wallets/proxy.ts";
import { encodingForField, secretBytes } from "../../wallets/secret-encoding.ts";
import { readSeedKeys } from "../../wallets/seed-import.ts";
import { loadCliConfig } from "../context.ts";

export const KEYSTORE_PASSWORD_ENV = "PERPBOT_KEYSTORE_PASSWORD";
export const NEW_KEYSTORE_PASSWORD_ENV = "PERPBOT_NEW_KEYSTORE_PASSWORD";
export const IMPORT_PASSWORD_ENV = "PERPBOT_IMPORT_PASSWORD";

interface KeysOptions {
  keystore?: string;
  passwordFile?: string;
}

function keysOptions(command: Command): KeysOptions {
  return command.optsWithGlobals<KeysOptions>();
}

/** `--keystore`, else `keystore.path` from the config (default ./data/keystore.json). */
function keystorePath(command: Command): string {
  const explicit = keysOptions(command).keystore;
  if (explicit !== undefined) return resolve(explicit);
  return resolve(keystoreSection.get(loadCliConfig(command).values).path);
}

function keystorePassword(command: Command, confirm = false): Promise<string> {
  return obtainPassword({
    what: "keystore password",
    file: keysOptions(command).passwordFile,
    envName: KEYSTORE_PASSWORD_ENV,
    fileOption: "--password-file",
    confirm,
  });
}

function out(text: string): void {
  // belt and braces: nothing printed here should hold a secret, but the scrubber costs nothing
  process.stdout.write(redactText(text));
}

function intOption(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new KeystoreUsageError(`${name} "${v}" is not a positive integer`);
    return Number(v);
  };
}

export interface KdfOptions {
  kdfMemory?: number;
  kdfIterations?: number;
  kdfParallelism?: number;
}

export function kdfFrom(opts: KdfOptions, base: KdfParams): KdfParams {
  return {
    algorithm: "argon2id",
    memoryKiB: opts.kdfMemory ?? base.memoryKiB,
    iterations: opts.kdfIterations ?? base.iterations,
    parallelism: opts.kdfParallelism ?? base.parallelism,
    keyLength: 32,
  };
}

export function withKdfOptions(c: Command): Command {
  return c
    .option(
      "--kdf-memory <KiB>",
      `Argon2id memory (default ${DEFAULT_KDF.memoryKiB})`,
      intOption("--kdf-memory"),
    )
    .option(
      "--kdf-iterations <n>",
      `Argon2id iterations (default ${DEFAULT_KDF.iterations})`,
      intOption("--kdf-iterations"),
    )
    .option(
      "--kdf-parallelism <n>",
      `Argon2id lanes (default ${DEFAULT_KDF.parallelism})`,
      intOption("--kdf-parallelism"),
    );
}

function collect(v: string, acc: string[]): string[] {
  return [...acc, v];
}

interface AddOptions {
  label?: string;
  key?: boolean;
  venue?: string;
  set: string[];
  secret: string[];
  proxy?: boolean;
  replace?: boolean;
  allowSameKey?: boolean;
}

/** Builds the wallet for `keys add`, reading secrets (prompt or stdin lines) in a fixed order. */
async function walletFromAdd(id: string, opts: AddOptions): Promise<NewWallet> {
  if ((opts.set.length > 0 || opts.secret.length > 0) && opts.venue === undefined) {
    throw new KeystoreUsageError("--set and --secret need --venue <name>");
  }
  const identity: Record<string, string> = {};
  for (const s of opts.set) {
    const eq = s.indexOf("=");
    if (eq <= 0) throw new KeystoreUsageError(`--set "${s}": expected field=value`);
    const field = s.slice(0, eq);
    if (/secret|private|password|passphrase|mnemonic/.test(field)) {
      throw new KeystoreUsageError(
        `--set ${field}: that looks like a secret; use --secret ${field} so it is read from the prompt or stdin, not the command line`,
      );
    }
    identity[field] = s.slice(eq + 1);
  }
  // with nothing else asked for, `add <id>` is about the wallet's own key
  const readKey = opts.key === true || (opts.venue === undefined && opts.proxy !== true);
  const input = new SecretInput();
  const wallet: {
    id: string;
    label?: string;
    key?: Buffer;
    proxy?: ReturnType<typeof parseProxy>;
    venues?: NewWallet["venues"];
  } = { id };
  if (opts.label !== undefined) wallet.label = opts.label;
  if (readKey)
    wallet.key = secretBytes(await input.next(`${id} private key (hex)`), "hex", `wallet "${id}", key`);
  if (opts.venue !== undefined) {
    const secrets: Record<string, { bytes: Buffer; encoding: "hex" | "utf8" }> = {};
    for (const field of opts.secret) {
      const encoding = encodingForField(field);
      const text = await input.next(`${id} ${opts.venue}.${field}${encoding === "hex" ? " (hex)" : ""}`);
      secrets[field] = {
        bytes: secretBytes(text, encoding, `wallet "${id}", ${opts.venue}.${field}`),
        encoding,
      };
    }
    wallet.venues = { [opts.venue]: { identity, secrets } };
  }
  if (opts.proxy) {
    wallet.proxy = parseProxy(
      await input.next(`${id} proxy (http://user:pass@host:port or host:port:user:pass)`),
      `wallet "${id}"`,
    );
  }
  if (input.leftover() > 0) {
    wallet.key?.fill(0);
    throw new KeystoreUsageError(
      `stdin had ${input.leftover()} more line(s) than the secrets asked for; nothing was changed`,
    );
  }
  return wallet;
}

/** `perpbot keys …`: the encrypted wallet keystore. */
export function registerKeys(program: Command): void {
  const keys = program
    .command("keys")
    .description("the encrypted wallet keystore (see docs/keystore.md)")
    .option(
      "--keystore <path>",
      "keystore file (default: keystore.path from the config, ./data/keystore.json)",
    )
    .option(
      "--password-file <file>",
      `file holding the keystore password (else $${KEYSTORE_PASSWORD_ENV}, else a prompt)`,
    );

  withKdfOptions(keys.command("init").description("create an empty keystore")).action(
    async (opts: KdfOptions, command: Command) => {
      const path = keystorePath(command);
      const password = await keystorePassword(command, true);
      await createKeystore(path, password, kdfFrom(opts, DEFAULT_KDF));
      out(`created keystore ${path}\n`);
    },
  );

  keys
    .command("add <id>")
    .description(
      "add a wallet, or add fields to one; secrets are read from a prompt or stdin lines, never argv",
    )
    .option("--label <text>", "a name to show in listings")
    .option("--key", "read the wallet's EVM private key (the default when no --venue or --proxy is given)")
    .option("--venue <name>", "the venue that --set and --secret refer to (hyperliquid, lighter, ...)")
    .option(
      "--set <field=value>",
      "a public identity field for --venue (address, account_index, ...); repeatable",
      collect,
      [],
    )
    .option(
      "--secret <field>",
      "read a secret field for --venue (api_secret, agent_private_key, ...); repeatable",
      collect,
      [],
    )
    .option("--proxy", "read the wallet's HTTP proxy (it holds a password)")
    .option("--replace", "overwrite fields that already hold a value")
    .option("--allow-same-key", "add a private key another wallet already holds (asked on a terminal)")
    .action(async (id: string, opts: AddOptions, command: Command) => {
      const path = keystorePath(command);
      const password = await keystorePassword(command);
      const wallet = await walletFromAdd(id, opts);
      let allowSharedKey = opts.allowSameKey === true;
      const owners = sharedKeyOwners(path, wallet);
      if (owners.length > 0 && wallet.key !== undefined) {
        const address = privateKeyToAddress(wallet.key, `wallet "${id}", key`);
        process.stderr.write(`warning: ${sharedKeyText(id, owners, address)}\n`);
        if (!allowSharedKey && process.stdin.isTTY)
          allowSharedKey = await confirmOnTerminal("add it anyway? [y/N] ");
      }
      await addWallets(path, password, [wallet], { replace: opts.replace, allowSharedKey });
      out(`wallet ${id} saved in ${path}\n`);
    });

  keys
    .command("import <file>")
    .description(
      "import seed 000's api-keys.json (its own password: --import-password-file, $PERPBOT_IMPORT_PASSWORD or a prompt)",
    )
    .option("--import-password-file <file>", "file holding the import file's password")
    .option("--replace", "overwrite fields of wallets that already exist")
    .option("--allow-same-key", "import wallets whose private key another wallet already holds")
    .action(
      async (
        file: string,
        opts: { importPasswordFile?: string; replace?: boolean; allowSameKey?: boolean },
        command: Command,
      ) => {
        const path = keystorePath(command);
        const password = await keystorePassword(command);
        // prove the keystore password before the slow decryption of the import file
        (await openKeystore(path, password)).close();
        const importPassword = await obtainPassword({
          what: "import file password",
          file: opts.importPasswordFile,
          envName: IMPORT_PASSWORD_ENV,
          fileOption: "--import-password-file",
          // seed 000 let a file be encrypted under an empty password; the keystore never is
          allowEmpty: true,
        });
        const { wallets, notes } = await readSeedKeys(resolve(file), importPassword);
        await addWallets(path, password, wallets, {
          replace: opts.replace,
          allowSharedKey: opts.allowSameKey === true,
        });
        out(`imported ${wallets.length} wallet(s) from ${resolve(file)} into ${path}\n`);
        for (const n of notes) out(`note: ${n}\n`);
      },
    );

  keys
    .command("list")
    .description("wallets, labels, venues and addresses (derived from each key); never a secret")
    .option("--json", "one JSON document")
    .action(async (opts: { json?: boolean }, command: Command) => {
      const ks = await openKeystore(keystorePath(command), await keystorePassword(command));
      try {
        const rows = [];
        for (const w of ks.wallets()) rows.push({ ...w, address: await ks.deriveAddress(w.id) });
        if (opts.json) {
          out(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        if (rows.length === 0) out(`no wallets in ${ks.file}\n`);
        for (const r of rows) {
          const venues = r.venues
            .map(
              (v) =>
                `${v.venue}(${Object.entries(v.identity)
                  .map(([k, x]) => `${k}=${x}`)
                  .concat(v.secretFields.map((f) => `${f}=***`))
                  .join(" ")}${v.secretFields.length === 0 ? "; no secret" : ""})`,
            )
            .join(" ");
          out(
            `${r.id}\t${r.label || "-"}\t${r.address ?? "(no key)"}\t${venues}${r.proxy ? `\tproxy ${r.proxy}` : ""}\n`,
          );
        }
      } finally {
        ks.close();
      }
    });

  keys
    .command("rm <id...>")
    .description("remove wallets")
    .action(async (ids: string[], _opts: unknown, command: Command) => {
      const path = keystorePath(command);
      await removeWallets(path, await keystorePassword(command), ids);
      out(`removed ${ids.join(", ")} from ${path}\n`);
    });

  withKdfOptions(
    keys
      .command("change-password")
      .description(
        `re-encrypt every entry under a new password ($${NEW_KEYSTORE_PASSWORD_ENV}, --new-password-file or a prompt)`,
      )
      .option("--new-password-file <file>", "file holding the new password"),
  ).action(async (opts: KdfOptions & { newPasswordFile?: string }, command: Command) => {
    const path = keystorePath(command);
    const password = await keystorePassword(command);
    (await openKeystore(path, password)).close();
    const fresh = await obtainPassword({
      what: "new keystore password",
      file: opts.newPasswordFile,
      envName: NEW_KEYSTORE_PASSWORD_ENV,
      fileOption: "--new-password-file",
      confirm: true,
    });
    await changePassword(path, password, fresh, {
      ...(opts.kdfMemory === undefined ? {} : { memoryKiB: opts.kdfMemory }),
      ...(opts.kdfIterations === undefined ? {} : { iterations: opts.kdfIterations }),
      ...(opts.kdfParallelism === undefined ? {} : { parallelism: opts.kdfParallelism }),
    });
    out(`password changed for ${path}\n`);
  });

  keys
    .command("verify")
    .description("decrypt every entry and report each failure")
    .action(async (_opts: unknown, command: Command) => {
      const ks = await openKeystore(keystorePath(command), await keystorePassword(command));
      try {
        const { entries, failures } = await ks.verify();
        if (failures.length > 0) {
          throw new KeystoreCorruptError(
            `${failures.length} of ${entries} entries in ${ks.file} failed:\n  - ${failures.map((f) => f.message).join("\n  - ")}`,
          );
        }
        out(`ok: ${entries} entries in ${ks.walletIds().length} wallet(s) of ${ks.file} decrypt\n`);
      } finally {
        ks.close();
      }
    });
}
