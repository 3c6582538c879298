/**
 * The dashboard as one self-contained HTML file: the template, its stylesheet, the fact rows as
 * JSON, ECharts' own minified build and the page script bundled by esbuild, all inlined, so the
 * file opens offline and can be mailed or archived as it is.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { DashboardData } from './model.js';

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

/** Inside a `<script>`, only `</script` can end it early; in JSON and JS strings `<\/` means `</`. */
const scriptSafe = (text: string): string => text.replace(/<\/(script)/gi, '<\\/$1');

async function clientScript(): Promise<string> {
  const result = await build({
    entryPoints: [here('client/main.js')],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild produced no dashboard script');
  return output.text;
}

export async function renderDashboard(data: DashboardData): Promise<string> {
  const echarts = readFileSync(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'), 'utf8');
  const parts: Record<string, string> = {
    '/*STYLE*/': readFileSync(here('dashboard.css'), 'utf8'),
    // `<` escaped as \u003c: JSON.parse reads it back, and no campaign name can close the tag.
    '"__DASHBOARD_DATA__"': JSON.stringify(data).replaceAll('<', '\\u003c'),
    '/*ECHARTS*/': scriptSafe(echarts),
    '/*CLIENT*/': scriptSafe(await clientScript()),
  };
  let html = readFileSync(here('template.html'), 'utf8');
  // A function, not a string, as the replacement: minified code is full of `$&` and `$'`.
  for (const [marker, text] of Object.entries(parts)) html = html.replace(marker, () => text);
  return html;
}
