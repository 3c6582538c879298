/**
 * The two ways Iterable exports events: the streaming export (`GET /api/export/data.json`) and
 * asynchronous export jobs (`POST /api/export/start`); `ITERABLE_EXPORT_MODE` names them.
 */
export const EXPORT_MODES = ['jobs', 'stream'] as const;
export type ExportMode = (typeof EXPORT_MODES)[number];
