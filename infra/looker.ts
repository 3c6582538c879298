/**
 * Looker Studio links that open a report on a fact table with the BigQuery connector already set
 * up, through the Linking API: a copy of a template report when one is configured, otherwise a
 * new report with the table as its data source.
 * https://developers.google.com/looker-studio/integrate/linking-api
 */
export const FACT_TABLES = [
  'campaign_fact_table',
  'email_performance_fact',
  'user_engagement_fact',
  'email_funnel_fact',
  'unsubscribe_fact',
  'campaign_reconciliation',
] as const;
export type FactTable = (typeof FACT_TABLES)[number];

export interface LookerLink {
  readonly projectId: string;
  readonly datasetId: string;
  readonly tableId: string;
  /** Report to copy; its data source alias must be `alias`. */
  readonly templateReportId?: string | undefined;
  /** Alias of the data source in the template (`ds0` is Looker Studio's first). */
  readonly alias?: string;
}

export function lookerStudioUrl(link: LookerLink): string {
  const alias = link.alias ?? 'ds0';
  const params = new URLSearchParams();
  if (link.templateReportId) params.set('c.reportId', link.templateReportId);
  params.set('r.reportName', link.tableId);
  params.set(`ds.${alias}.connector`, 'bigQuery');
  params.set(`ds.${alias}.type`, 'TABLE');
  params.set(`ds.${alias}.projectId`, link.projectId);
  params.set(`ds.${alias}.datasetId`, link.datasetId);
  params.set(`ds.${alias}.tableId`, link.tableId);
  return `https://lookerstudio.google.com/reporting/create?${params.toString()}`;
}
