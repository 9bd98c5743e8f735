/**
 * LLM settings that have a shape: the tier table and the price table. The configuration module validates
 * `OLYMPUS_LLM_TIERS` and `OLYMPUS_LLM_PRICES` with these schemas; values given there are laid over the
 * built-in defaults, so nothing needs configuring.
 */
import { z } from 'zod';

import { PROVIDER_NAMES, type ProviderName } from '../../ports/llm-provider.js';

export { PROVIDER_NAMES, type ProviderName };

const modelName = z.string().trim().min(1, 'a model name must not be empty');

export const tierSchema = z
  .object({
    ollama: modelName.optional(),
    openai: modelName.optional(),
    /** Which side to try first when both can serve; `local` unless set. */
    prefer: z.enum(['local', 'cloud']).optional(),
  })
  .strict()
  .refine((tier) => tier.ollama !== undefined || tier.openai !== undefined, {
    message: 'a tier needs an ollama or an openai model',
  });

export type LlmTier = z.infer<typeof tierSchema>;
export type LlmTierTable = Record<string, LlmTier>;

export const tierTableSchema = z.record(
  z.string().regex(/^[a-z][a-z0-9_-]*$/, 'tier names are lower-case words'),
  tierSchema,
);

/** USD per million tokens. */
export const priceSchema = z.object({ input: z.number().min(0), output: z.number().min(0) }).strict();

export type LlmPrice = z.infer<typeof priceSchema>;
/** Keyed by model name, or `provider/model` to price one provider's model only. */
export type LlmPriceTable = Record<string, LlmPrice>;

export const priceTableSchema = z.record(z.string().min(1), priceSchema);

export const DEFAULT_TIERS: LlmTierTable = {
  fast: { ollama: 'llama3.2', openai: 'gpt-4o-mini' },
  reasoning: { ollama: 'qwen2.5:14b', openai: 'gpt-4o' },
};

/** Public list prices (USD per million tokens); local models cost nothing unless priced here. */
export const DEFAULT_PRICES: LlmPriceTable = {
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1': { input: 2, output: 8 },
};

export const LLM_CURRENCY = 'USD';

/**
 * A JSON setting: a JSON text (environment) or an object (config file), validated by `schema`, kept as
 * normalised JSON text so it prints well. Problems name the path inside the value.
 */
export function jsonSetting(schema: z.ZodType): z.ZodType<string> {
  return z.unknown().transform((raw, ctx) => {
    let value: unknown = raw;
    if (typeof raw === 'string') {
      try {
        value = JSON.parse(raw);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `not valid JSON (${(error as Error).message})` });
        return z.NEVER;
      }
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `at ${issue.path.map(String).join('.')}: ` : '';
      ctx.addIssue({ code: 'custom', message: `${where}${issue?.message ?? 'invalid value'}` });
      return z.NEVER;
    }
    return JSON.stringify(parsed.data);
  });
}

/** The tier table in effect: defaults with the configured tiers laid over them (a tier replaces its default). */
export function resolveTiers(json: string | null): LlmTierTable {
  const configured = json === null ? {} : tierTableSchema.parse(JSON.parse(json));
  return { ...DEFAULT_TIERS, ...configured };
}

/** The price table in effect: defaults with the configured prices laid over them. */
export function resolvePrices(json: string | null): LlmPriceTable {
  const configured = json === null ? {} : priceTableSchema.parse(JSON.parse(json));
  return { ...DEFAULT_PRICES, ...configured };
}

/** Every model the tier table names for one provider. */
export function tierModels(tiers: LlmTierTable, provider: ProviderName): string[] {
  return [...new Set(Object.values(tiers).flatMap((tier) => (tier[provider] ? [tier[provider]] : [])))];
}
