/**
 * The import boundaries of the tree (README, "Layout"): deployed code never reaches outside
 * functions/src/, the Pulumi program never into the laptop's code, the Iterable client never into
 * the pipeline, the pipeline core never into its GCP adapters, the laptop runtime never into the
 * commands. Every source file's imports are read as text and resolved against its own folder.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, it } from 'node:test';

interface Rule {
  /** Files the rule applies to (path prefix, from the repository root). */
  readonly from: string;
  /** Import targets it forbids (path prefixes). */
  readonly forbidden: readonly string[];
  /** Targets allowed even so (path prefixes), checked before `forbidden`. */
  readonly allowed?: readonly string[];
  readonly why: string;
}

const RULES: readonly Rule[] = [
  {
    from: 'functions/src/',
    forbidden: [''],
    allowed: ['functions/src/'],
    why: 'deployed code imports only deployed code',
  },
  {
    from: 'infra/',
    forbidden: ['local/', 'simulator/', 'cli/'],
    why: 'the Pulumi program never depends on laptop code',
  },
  {
    from: 'functions/src/iterable/',
    forbidden: ['functions/src/pipeline/'],
    why: 'the Iterable client knows nothing of windows or ledgers',
  },
  {
    from: 'functions/src/pipeline/',
    forbidden: ['functions/src/gcp/'],
    why: 'the pipeline core talks to ports, not to GCP adapters',
  },
  { from: 'local/', forbidden: ['cli/'], why: 'the laptop runtime never depends on the commands' },
];

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

/** The relative imports of one file, resolved to repository paths. */
function importsOf(file: string, source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(SPECIFIER)) {
    const specifier = match[1] ?? '';
    if (specifier.startsWith('.')) found.push(posix.normalize(posix.join(posix.dirname(file), specifier)));
  }
  return found;
}

function violations(file: string, source: string): string[] {
  const broken: string[] = [];
  for (const target of importsOf(file, source)) {
    for (const rule of RULES) {
      if (!file.startsWith(rule.from)) continue;
      if (rule.allowed?.some((prefix) => target.startsWith(prefix))) continue;
      if (rule.forbidden.some((prefix) => target.startsWith(prefix))) {
        broken.push(`${file} imports ${target}: ${rule.why}`);
      }
    }
  }
  return broken;
}

const sourceFiles = (): string[] =>
  execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
    .split('\n')
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.startsWith('node_modules/'));

describe('import boundaries', () => {
  it('hold for every source file of the tree', () => {
    const files = sourceFiles();
    assert.ok(files.length > 100, `read ${files.length} files`);
    const broken = files.flatMap((file) => violations(file, readFileSync(file, 'utf8')));
    assert.deepEqual(broken, []);
  });

  it('are broken by a file with forbidden imports, placed in each guarded folder', () => {
    const template = readFileSync('test/fixtures/forbidden-imports.txt', 'utf8');
    const placed = (file: string): string =>
      template.replaceAll('ROOT', posix.relative(posix.dirname(file), '.') || '.');
    const cases: readonly [string, readonly string[]][] = [
      [
        'functions/src/iterable/x.ts',
        ['simulator/server.js', 'local/duckdb-warehouse.js', 'cli/operator-options.js', 'cli/start.js'],
      ],
      ['functions/src/pipeline/x.ts', ['functions/src/gcp/open-bigquery.js']],
      ['infra/policy/x.ts', ['simulator/server.js', 'cli/operator-options.js', 'cli/start.js']],
      ['local/sql/x.ts', ['cli/operator-options.js', 'cli/start.js']],
    ];
    for (const [file, targets] of cases) {
      const broken = violations(file, placed(file));
      for (const target of targets) {
        assert.ok(
          broken.some((line) => line.startsWith(`${file} imports ${target}:`)),
          `${file} → ${target} not caught: ${broken.join('; ')}`,
        );
      }
    }
    assert.ok(
      violations('functions/src/iterable/x.ts', placed('functions/src/iterable/x.ts')).some((l) =>
        l.includes('functions/src/pipeline/window.js'),
      ),
    );
    assert.deepEqual(violations('cli/x.ts', placed('cli/x.ts')), [], 'cli/ may import any of these');
  });
});
