/**
 * Iterable's published limits, in one place: the deployed queue's dispatch rate, the local
 * queue and the client's defaults all read them from here.
 */

/**
 * Export API calls (`/api/export/data.json`) allowed per minute per project, shared by all data
 * types; excess calls get HTTP 429 (shared/iterable-api.md, "Rate limit").
 */
export const ITERABLE_EXPORTS_PER_MINUTE = 4;

/** Campaign metrics calls (`/api/campaigns/metrics`) allowed per minute. */
export const CAMPAIGN_METRICS_REQUESTS_PER_MINUTE = 10;

/** Campaign ids one metrics call can carry before the URL is too long (observed: 414). */
export const CAMPAIGN_METRICS_MAX_IDS = 80;

/** Largest `pageSize` the campaigns and templates endpoints accept. */
export const DIMENSION_MAX_PAGE_SIZE = 1000;

export const ITERABLE_HOSTS = {
  US: 'https://api.iterable.com',
  EU: 'https://api.eu.iterable.com',
} as const;
export type IterableRegion = keyof typeof ITERABLE_HOSTS;

/**
 * Export jobs (`POST /api/export/start`, `GET /api/export/{jobId}/files`): each endpoint allows
 * 1 request a second per organization, and at most 4 jobs process at once per organization, the
 * rest queue (swagger: startExport, getExportFiles; shared/iterable-api.md).
 */
export const EXPORT_JOB_REQUESTS_PER_SECOND = 1;
export const EXPORT_JOBS_AT_ONCE = 4;

/** A job's download links expire 30 minutes after they are listed (swagger: ExportFileAndUrl). */
export const EXPORT_LINK_TTL_MS = 30 * 60_000;
