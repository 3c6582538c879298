/**
 * Google's ZetaSQL analyzer (the front end of BigQuery's dialect) run locally through
 * `@fivetrandevelopers/zetasql`, to check the files of sql/ as BigQuery would: names, types,
 * functions. Its gRPC server is a native binary shipped in the package; it is started on a free
 * port with its output discarded, and killed by its own pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ZetaSQLClient } from '@fivetrandevelopers/zetasql';
import type { LanguageOptionsProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/LanguageOptionsProto.js';
import type { SimpleCatalogProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/SimpleCatalogProto.js';
import type { TypeProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/TypeProto.js';
import type { ColumnType } from '../../../functions/src/catalog.js';
import { replaceVariableUses, scriptVariables } from '../../../sql/script-variables.js';
import { freePort } from '../../support/free-port.js';

export interface CatalogColumn {
  readonly name: string;
  readonly type: TypeProto;
}

/** Tables by dataset, then by name: what the analyzer may refer to. */
export type TableSchemas = Map<string, Map<string, readonly CatalogColumn[]>>;

export interface ScriptContext {
  /** Named query parameters (`@name`) and their types; `[T]` is an ARRAY<T>. */
  readonly parameters?: Readonly<Record<string, ColumnType | readonly [ColumnType]>>;
  /** The project the datasets sit in, for SQL that names tables `project.dataset.table`. */
  readonly project?: string;
}

/** Column types, plus DATE, which script variables (`DECLARE settle_to DATE`) also take. */
type AnalyzedType = ColumnType | 'DATE';

const TYPE_KINDS: Readonly<Record<AnalyzedType, TypeProto['typeKind']>> = {
  STRING: 'TYPE_STRING',
  INT64: 'TYPE_INT64',
  FLOAT64: 'TYPE_DOUBLE',
  BOOL: 'TYPE_BOOL',
  TIMESTAMP: 'TYPE_TIMESTAMP',
  JSON: 'TYPE_JSON',
  DATE: 'TYPE_DATE',
};

export const catalogColumn = (column: { name: string; type: ColumnType }): CatalogColumn => ({
  name: column.name,
  type: { typeKind: TYPE_KINDS[column.type] },
});

export class SqlAnalysisError extends Error {}

/** The binary `runServer` would start, chosen the same way, but started quietly. */
function serverBinary(): string {
  const lib = dirname(createRequire(import.meta.url).resolve('@fivetrandevelopers/zetasql'));
  const suffix =
    (process.arch.startsWith('arm') ? '_arm' : '') + (process.platform === 'darwin' ? '' : '.so');
  return join(lib, 'zetasql', `remote_server${suffix}`);
}

export class ZetaSqlAnalyzer {
  private constructor(
    private readonly server: ChildProcess,
    private readonly client: ZetaSQLClient,
    private readonly languageOptions: LanguageOptionsProto,
  ) {}

  /**
   * Starts the server with BigQuery's settings: every language feature the analyzer has, plus the
   * INTERVAL type (not in its maximum set, but BigQuery has it), external product mode (BigQuery's
   * type names), and every statement kind (DDL and DML, not only queries).
   */
  static async start(): Promise<ZetaSqlAnalyzer> {
    const port = await freePort();
    const server = spawn(serverBinary(), ['localhost', String(port)], { stdio: 'ignore' });
    ZetaSQLClient.init(port);
    const client = ZetaSQLClient.getInstance();
    if (!(await client.testConnection())) {
      server.kill('SIGKILL');
      throw new Error(`the ZetaSQL server did not answer on port ${port}`);
    }
    const maximum = await client.getLanguageOptions({ maximumFeatures: true });
    const languageOptions: LanguageOptionsProto = {
      enabledLanguageFeatures: [...(maximum?.enabledLanguageFeatures ?? []), 'FEATURE_INTERVAL_TYPE'],
      productMode: 'PRODUCT_EXTERNAL',
      supportedStatementKinds: [],
    };
    return new ZetaSqlAnalyzer(server, client, languageOptions);
  }

  /**
   * Analyzes every statement of a script in order. Tables and views the script creates are added
   * to `tables`, so later statements (and later files) can use them. Throws `SqlAnalysisError`
   * with the analyzer's message and position (line:column in `sql`).
   *
   * The analyzer resolves statements, not scripts, so script variables are analyzed as what they
   * are to each statement, typed values: a `DECLARE x T;` line becomes a query parameter `@x` of
   * type T (blanked, keeping positions), each `SET x = (…)` the query `SELECT (…)`.
   */
  async analyzeScript(script: string, tables: TableSchemas, context: ScriptContext = {}): Promise<void> {
    const variables = scriptVariables(script);
    const declared: Record<string, AnalyzedType | readonly [AnalyzedType]> = {};
    let sql = script;
    for (const { name, type } of variables) {
      const element = /^ARRAY<(\w+)>$/.exec(type)?.[1] ?? type;
      if (!(element in TYPE_KINDS))
        throw new SqlAnalysisError(`DECLARE ${name} ${type}: unknown type ${type}`);
      declared[name] = element === type ? (type as AnalyzedType) : [element as AnalyzedType];
      sql = replaceVariableUses(
        sql
          .replace(`DECLARE ${name} ${type};`, (d) => ' '.repeat(d.length))
          .replace(new RegExp(`^SET ${name} =`, 'gm'), 'SELECT'),
        name,
        (n) => `@${n}`,
      );
    }
    const queryParameters = Object.entries({ ...context.parameters, ...declared }).map(([name, type]) => ({
      name,
      type:
        typeof type === 'string'
          ? { typeKind: TYPE_KINDS[type] }
          : {
              typeKind: 'TYPE_ARRAY' as const,
              arrayType: { elementType: { typeKind: TYPE_KINDS[type[0]] } },
            },
    }));
    const end = Buffer.byteLength(sql);
    for (let position = 0; position < end && sql.slice(position).trim() !== ''; ) {
      const response = await this.client
        .analyze({
          simpleCatalog: this.catalog(tables, context.project),
          parseResumeLocation: { input: sql, bytePosition: position, allowResume: true },
          options: {
            languageOptions: this.languageOptions,
            errorMessageMode: 'ERROR_MESSAGE_ONE_LINE',
            queryParameters,
          },
        })
        .catch((error: unknown) => {
          throw new SqlAnalysisError((error as { details?: string }).details ?? String(error));
        });
      if (!response) throw new SqlAnalysisError('the ZetaSQL server returned nothing');
      registerCreated(response.resolvedStatement, tables);
      position = response.resumeBytePosition;
    }
  }

  close(): void {
    this.server.kill('SIGKILL');
  }

  private catalog(tables: TableSchemas, project: string | undefined): SimpleCatalogProto {
    const datasets = [...tables].map(([dataset, byName]) => ({
      name: dataset,
      table: [...byName].map(([name, columns]) => ({ name, column: [...columns] })),
    }));
    return {
      name: 'root',
      builtinFunctionOptions: { languageOptions: this.languageOptions },
      catalog: project === undefined ? datasets : [{ name: project, catalog: datasets }],
    };
  }
}

/** Adds the table or view a CREATE statement made to `tables`, with the columns it resolved to. */
function registerCreated(statement: unknown, tables: TableSchemas): void {
  const create = field(statement, 'resolvedCreateStatementNode');
  if (create === undefined) return;
  // A model (BigQuery ML's CREATE MODEL) is no table: later statements read it through ML
  // functions, which the analyzer's catalog does not have (test/sql/bigquery-ml.test.ts).
  if (Object.keys(create as object).some((k) => /CreateModel/i.test(k))) return;
  const namePath = find(create, 'namePath') as string[] | undefined;
  const definitions = find(create, 'columnDefinitionList') as
    | { name: string; type: { typeKind: TypeProto['typeKind'] } }[]
    | undefined;
  if (namePath?.length !== 2 || !definitions) {
    throw new SqlAnalysisError(`cannot read the created table of ${JSON.stringify(namePath)}`);
  }
  const [dataset, table] = namePath as [string, string];
  const byName = tables.get(dataset) ?? new Map<string, readonly CatalogColumn[]>();
  byName.set(
    table,
    definitions.map((d) => ({ name: d.name, type: { typeKind: d.type.typeKind } })),
  );
  tables.set(dataset, byName);
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The first non-empty value under `key`, depth first. */
function find(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const own = (value as Record<string, unknown>)[key];
  if (own !== undefined && own !== null && !(Array.isArray(own) && own.length === 0)) return own;
  for (const child of Object.values(value)) {
    const found = find(child, key);
    if (found !== undefined) return found;
  }
  return undefined;
}
