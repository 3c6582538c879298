/**
 * The API's own settings, from the environment (the deployed function) or flags (`npm run api`):
 * the answer cache and, optionally, the API keys' SHA-256 hashes.
 */
import { z } from 'zod';
import { ConfigError } from '../config.js';
import { describeIssues } from '../schema-parts.js';
import type { ApiAuth } from './auth.js';
import type { ApiSettings } from './handler.js';

const ApiEnvSchema = z.object({
  // Facts change when the scheduled queries run (hourly at most), so a minute costs no freshness.
  API_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  API_CACHE_ENTRIES: z.coerce.number().int().min(1).max(100_000).default(1000),
  API_KEY_SHA256: z
    .string()
    .regex(/^[0-9a-f]{64}(,[0-9a-f]{64})*$/, 'use comma-separated lower-case SHA-256 hex digests of the keys')
    .optional(),
});

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): {
  settings: ApiSettings;
  auth: ApiAuth;
} {
  const parsed = ApiEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid API configuration: ${describeIssues(parsed.error, '(environment)').join('; ')}`,
    );
  }
  const e = parsed.data;
  return {
    settings: { cacheSeconds: e.API_CACHE_SECONDS, cacheEntries: e.API_CACHE_ENTRIES },
    auth: e.API_KEY_SHA256
      ? { kind: 'api-key', sha256: new Set(e.API_KEY_SHA256.split(',')) }
      : { kind: 'iam' },
  };
}
