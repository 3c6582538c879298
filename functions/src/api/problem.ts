/**
 * RFC 9457 problem details: every error the API answers is one of these, as
 * `application/problem+json`. Types are `tag:` URIs, which RFC 9457 §3.1.1 allows for types that
 * need not be dereferenced; `title` is fixed per type and `detail` says what to fix.
 */
import type { ProblemBody } from './rows.js';

const TYPE_PREFIX = 'tag:iterable-analytics-api,2026:problem/';

export const PROBLEM_TYPES = {
  'invalid-parameter': { status: 400, title: 'A request parameter is not valid' },
  'missing-credentials': { status: 401, title: 'No API key was given' },
  forbidden: { status: 403, title: 'The API key is not valid' },
  'not-found': { status: 404, title: 'No such resource' },
  'method-not-allowed': { status: 405, title: 'The API is read-only' },
  'not-acceptable': { status: 406, title: 'No representation matches the Accept header' },
  'query-failed': { status: 500, title: 'The warehouse query failed' },
} as const;

export type ProblemType = keyof typeof PROBLEM_TYPES;

export interface ParameterError {
  readonly parameter: string;
  readonly message: string;
}

export class ApiProblem extends Error {
  constructor(
    readonly type: ProblemType,
    readonly detail: string,
    readonly errors?: readonly ParameterError[],
  ) {
    super(detail);
    this.name = 'ApiProblem';
  }

  get status(): number {
    return PROBLEM_TYPES[this.type].status;
  }

  body(instance: string): ProblemBody {
    return {
      type: `${TYPE_PREFIX}${this.type}`,
      title: PROBLEM_TYPES[this.type].title,
      status: this.status,
      detail: this.detail,
      instance,
      ...(this.errors ? { errors: [...this.errors] } : {}),
    };
  }
}

/** A 400 naming each bad parameter. */
export const invalidParameters = (errors: readonly ParameterError[]): ApiProblem =>
  new ApiProblem('invalid-parameter', errors.map((e) => `${e.parameter}: ${e.message}`).join('; '), errors);
