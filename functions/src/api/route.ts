/**
 * What a route is: its path, its parameters and answer as zod schemas (which validate requests,
 * shape answers and generate /v1/openapi.json), and how a validated request becomes an answer.
 */
import type { z } from 'zod';
import type { StreamName } from '../catalog.js';
import type { StateStore } from '../ports.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { FactReader, FactRow, Statement } from './fact-reader.js';
import { DEFAULT_PAGE_SIZE } from './params.js';
import { invalidParameters } from './problem.js';
import { page } from './rows.js';

export interface RouteContext {
  readonly reader: FactReader;
  readonly state: StateStore;
  readonly streams: readonly StreamName[];
  readonly analyticsDataset: string;
}

export interface Answer {
  /** The JSON body, already parsed by the route's response schema. */
  readonly body: unknown;
  /** The same answer as a table, for CSV. */
  readonly table: { readonly columns: readonly string[]; readonly rows: readonly FactRow[] };
}

export interface Prepared {
  /** The canonical query: route, validated parameters and filled defaults, cursor included. */
  readonly key: string;
  readonly format: 'json' | 'csv' | undefined;
  run(context: RouteContext): Promise<Answer>;
}

export interface Route {
  readonly name: string;
  /** OpenAPI path template, e.g. `/v1/campaigns/{campaignId}`. */
  readonly path: string;
  readonly summary: string;
  readonly description: string;
  readonly pathParams: Readonly<Record<string, z.ZodType>>;
  readonly query: z.ZodObject;
  readonly response: z.ZodType;
  /** Statuses other than 200 and 400 this route answers, with why (for the OpenAPI document). */
  readonly problems: Readonly<Record<number, string>>;
  prepare(query: Record<string, string>, path: Record<string, string>, now: number): Prepared;
}

/** Parses with a schema or throws a 400 naming each bad parameter. */
export function parseParams<S extends z.ZodType>(schema: S, input: unknown, where = ''): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw invalidParameters(
    parsed.error.issues.map((issue) => {
      const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '';
      return {
        parameter: unknownKeys || issue.path.join('.') || where || '(query)',
        message: unknownKeys
          ? 'unknown parameter; see /v1/openapi.json for this route’s parameters'
          : issue.message,
      };
    }),
  );
}

/** A stable text of validated parameters: sorted keys, no undefined values. */
export const canonical = (name: string, values: Record<string, unknown>): string =>
  `${name}?${JSON.stringify(
    Object.entries(values)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b)),
  )}`;

/**
 * A paged list of one fact table's rows: `statement` turns validated parameters into SQL for a
 * page, the cursor carries the offset, and the rows are parsed by `row` before they are sent.
 */
export function listRoute<
  Q extends z.ZodObject,
  R extends z.ZodObject,
  V extends Record<string, unknown>,
>(spec: {
  name: string;
  path: string;
  summary: string;
  description: string;
  query: Q;
  row: R;
  /** Validated parameters with defaults filled (part of the cache key), or a 400. */
  resolve: (params: z.output<Q>, now: number) => V;
  statement: (resolved: V, dataset: string, page: { limit: number; offset: number }) => Statement;
}): Route {
  return {
    name: spec.name,
    path: spec.path,
    summary: spec.summary,
    description: spec.description,
    pathParams: {},
    query: spec.query,
    response: page(spec.row),
    problems: {},
    prepare(query, _path, now) {
      const params = parseParams(spec.query, query) as z.output<Q> & {
        limit?: number;
        cursor?: string;
        format?: 'json' | 'csv';
      };
      const resolved = spec.resolve(params, now);
      const limit = params.limit ?? DEFAULT_PAGE_SIZE;
      const queryKey = canonical(spec.name, { ...resolved, limit });
      const offset = decodeCursor(params.cursor, queryKey);
      return {
        key: `${queryKey}@${offset}`,
        format: params.format,
        async run(context) {
          const rows = await context.reader.read(
            spec.statement(resolved, context.analyticsDataset, { limit, offset }),
          );
          const data = spec.row.array().parse(rows.slice(0, limit)) as FactRow[];
          const next = rows.length > limit ? encodeCursor(queryKey, offset + limit) : null;
          return {
            body: { data, next_cursor: next },
            table: { columns: Object.keys(spec.row.shape), rows: data },
          };
        },
      };
    },
  };
}
