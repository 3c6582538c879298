/**
 * A `@google-cloud/storage` client for a local stand-in (gcs-api.ts), as the worker builds it but
 * with no credentials. The pass-through auth client must come from the google-auth-library that
 * storage 7 itself depends on (9.x): resumable uploads send every request through it and read the
 * `Location` and `Range` headers as plain properties, which 10.x (the project's own, for BigQuery)
 * returns in a `Headers` object instead.
 */
import { createRequire } from 'node:module';
import { Storage, type StorageOptions } from '@google-cloud/storage';

const requireBesideStorage = createRequire(createRequire(import.meta.url).resolve('@google-cloud/storage'));
const { PassThroughClient } = requireBesideStorage('google-auth-library') as {
  PassThroughClient: new () => NonNullable<StorageOptions['authClient']>;
};

/** `maxRetryDelaySeconds` caps each retry's backoff (storage's default: up to 64 s). */
export const localStorage = (apiEndpoint: string, maxRetryDelaySeconds?: number): Storage =>
  new Storage({
    projectId: 'local',
    apiEndpoint,
    authClient: new PassThroughClient(),
    ...(maxRetryDelaySeconds === undefined ? {} : { retryOptions: { maxRetryDelay: maxRetryDelaySeconds } }),
  });
