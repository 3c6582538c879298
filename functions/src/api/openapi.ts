/**
 * The OpenAPI 3.1 document of /v1, generated from the routes' zod schemas with zod 4's JSON Schema
 * output (https://zod.dev/json-schema), so the documentation is the validation. Schemas with an
 * `id` become `components.schemas` entries; OpenAPI 3.1's default dialect is JSON Schema 2020-12,
 * which is what zod emits.
 */
import { z } from 'zod';
import { API_KEY_HEADER } from './auth.js';
import { PROBLEM_TYPES } from './problem.js';
import type { Route } from './route.js';
import { Problem } from './rows.js';

export const OPENAPI_PATH = '/v1/openapi.json';

type Json = Record<string, unknown>;

/** Moves `$defs` into `components` and points the `$ref`s there. */
function collect(schema: z.ZodType, io: 'input' | 'output', components: Json): Json {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  const { $defs, $schema: _dialect, ...root } = json;
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : rewrite(v),
      ]),
    );
  };
  for (const [name, def] of Object.entries(($defs ?? {}) as Json)) components[name] = rewrite(def);
  // A schema with an `id` comes back as a `$ref` to its own entry in `$defs`, now a component.
  return rewrite(root) as Json;
}

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

export function openApiDocument(routes: readonly Route[]): Json {
  const schemas: Json = {};
  collect(Problem, 'output', schemas);
  const paths: Json = {};
  for (const route of routes) {
    const parameters = [
      ...Object.entries(route.pathParams).map(([name, schema]) => ({
        name,
        in: 'path',
        required: true,
        schema: collect(schema, 'input', schemas),
      })),
      ...Object.entries(route.query.shape).map(([name, schema]) => ({
        name,
        in: 'query',
        required: !(schema as z.ZodType).safeParse(undefined).success,
        description: z.globalRegistry.get(schema as z.ZodType)?.description,
        schema: collect(schema as z.ZodType, 'input', schemas),
      })),
    ];
    const ok =
      route.response instanceof z.ZodNever
        ? {}
        : {
            200: {
              description: 'OK',
              content: {
                'application/json': { schema: collect(route.response, 'output', schemas) },
                'text/csv': { schema: { type: 'string', description: 'RFC 4180, a header line first' } },
              },
            },
            304: { description: 'Not modified: the ETag in If-None-Match is current' },
          };
    paths[route.path] = {
      get: {
        operationId: route.name,
        summary: route.summary,
        description: route.description,
        parameters,
        responses: {
          ...ok,
          400: problemResponse(PROBLEM_TYPES['invalid-parameter'].title),
          401: problemResponse(
            'No API key (API-key mode); without an ID token Cloud Run refuses the call itself',
          ),
          403: problemResponse('Credentials not allowed to call the API'),
          ...Object.fromEntries(Object.entries(route.problems).map(([s, why]) => [s, problemResponse(why)])),
          500: problemResponse(PROBLEM_TYPES['query-failed'].title),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Iterable email analytics API',
      version: '1',
      description:
        'Read-only access to the fact tables of iterable_analytics, as JSON or CSV (format=csv or Accept: text/csv).',
    },
    paths,
    components: {
      schemas,
      securitySchemes: {
        googleIdToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A Google ID token (gcloud auth print-identity-token) of a member with roles/run.invoker',
        },
        apiKey: { type: 'apiKey', in: 'header', name: API_KEY_HEADER },
      },
    },
    security: [{ googleIdToken: [] }, { apiKey: [] }],
  };
}
