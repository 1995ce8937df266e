import type { ConfigValues } from "../../config/registry.ts";
import type { StrategyServices } from "../../strategies/contract.ts";
import { strategiesSection } from "../../strategies/instances.ts";
import type { Keystore } from "../../wallets/keystore.ts";
import { OpenAiChatClient } from "./openai-client.ts";

/**
 * LLM API keys held in the keystore: wallet `<id>`, account `llm`, secret field `api_key`
 * (`perpbot keys add <id> --venue llm --secret api_key`, read from the prompt or stdin). An agent
 * instance names the wallet in `api_key_keystore`; the run reads those keys once, while the
 * keystore is unlocked, and hands each agent a client holding its key. Decrypting registers the
 * key with the log scrubber, so a log line that somehow carried it prints it redacted. The key
 * is kept as a string for the process's life (it goes into every request's header).
 */
export const LLM_VENUE = "llm";
export const LLM_KEY_FIELD = "api_key";

/** The keystore wallets the configured agent instances take their key from. */
export function agentKeystoreRefs(config: ConfigValues): string[] {
  const refs = new Set<string>();
  for (const c of Object.values(strategiesSection.get(config))) {
    const ref = (c as { kind: string; api_key_keystore?: string | null }).api_key_keystore;
    if (c.kind === "agent" && typeof ref === "string") refs.add(ref);
  }
  return [...refs].sort();
}

/** Each wallet's `llm.api_key`; an error naming the wallet and the command when one is missing. */
export async function llmKeysFromKeystore(
  keystore: Pick<Keystore, "withSecret" | "file">,
  wallets: readonly string[],
): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for (const id of wallets) {
    let key: string | undefined;
    try {
      key = await keystore.withSecret(id, LLM_VENUE, (s) => s.get(LLM_KEY_FIELD)?.toString("utf8"));
    } catch (e) {
      throw new Error(
        `api_key_keystore "${id}": ${(e as Error).message} (store it: perpbot keys add ${id} --venue ${LLM_VENUE} --secret ${LLM_KEY_FIELD})`,
      );
    }
    if (key === undefined || key === "")
      throw new Error(
        `api_key_keystore "${id}": wallet ${id}'s ${LLM_VENUE} account in ${keystore.file} has no ${LLM_KEY_FIELD} (perpbot keys add ${id} --venue ${LLM_VENUE} --secret ${LLM_KEY_FIELD})`,
      );
    keys.set(id, key);
  }
  return keys;
}

/** Chat clients whose key comes from `keys` when the instance names a keystore wallet, else from its env variable. */
export function chatServices(keys: ReadonlyMap<string, string>): StrategyServices {
  return {
    chatModel: (s) => {
      const ref = s.apiKeyKeystore ?? null;
      if (ref === null) return new OpenAiChatClient(s);
      const apiKey = keys.get(ref);
      if (apiKey === undefined)
        throw new Error(
          `api_key_keystore "${ref}": no key of that wallet was read from the keystore in this process`,
        );
      return new OpenAiChatClient({ ...s, apiKey });
    },
  };
}
