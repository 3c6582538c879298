/**
 * Reads a load job's data the way BigQuery's documented load options say it would, for the options
 * the warehouse uses: NDJSON records, or CSV without quoting, split on the configured delimiter,
 * with the configured null marker. Unquoted fields are trimmed, as BigQuery once documented (the
 * stricter reading), and a lone carriage return is refused rather than read as a row end.
 * Anything outside that subset throws, so a change of options fails the tests rather than being
 * read wrongly.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationLoad
 */
import type { Cell } from '../../../functions/src/ports.js';

export interface LoadConfiguration {
  readonly sourceFormat?: string;
  readonly schema?: { readonly fields: readonly { readonly name: string; readonly type: string }[] };
  readonly fieldDelimiter?: string;
  readonly quote?: string;
  readonly nullMarker?: string;
  readonly preserveAsciiControlCharacters?: boolean;
}

/** ASCII control characters other than the row ends, which BigQuery refuses unless told to keep. */
const hasControl = (text: string): boolean =>
  [...text].some((ch) => ch.charCodeAt(0) < 0x20 && ch !== '\n' && ch !== '\r');

function csvCell(text: string, type: string, nullMarker: string): Cell {
  if (text === nullMarker) return null;
  switch (type) {
    case 'STRING':
      return text;
    case 'INT64':
      if (!/^-?\d+$/.test(text)) throw new Error(`not an INT64: ${JSON.stringify(text)}`);
      return Number(text);
    case 'FLOAT64':
      if (Number.isNaN(Number(text)) || text.trim() === '') throw new Error(`not a FLOAT64: ${text}`);
      return Number(text);
    case 'BOOL':
      if (text !== 'true' && text !== 'false') throw new Error(`not a BOOL: ${text}`);
      return text === 'true';
    default:
      throw new Error(`no CSV reading of ${type} in this fake`);
  }
}

/** The rows a load job's data holds, as records keyed by the schema's field names. */
export function readLoad(load: LoadConfiguration, data: string): Record<string, Cell>[] {
  const fields = load.schema?.fields ?? [];
  const lines = data.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (load.sourceFormat === 'NEWLINE_DELIMITED_JSON') {
    return lines.map((line) => JSON.parse(line) as Record<string, Cell>);
  }
  if (load.sourceFormat !== 'CSV') throw new Error(`no reading of ${load.sourceFormat} in this fake`);
  if (load.quote !== '') throw new Error('this fake reads CSV without quoting only');
  const delimiter = load.fieldDelimiter ?? ',';
  const nullMarker = load.nullMarker ?? '';
  return lines.map((line) => {
    if (line.includes('\r')) throw new Error(`a carriage return inside a row: ${JSON.stringify(line)}`);
    if (!load.preserveAsciiControlCharacters && hasControl(line.replaceAll(delimiter, ''))) {
      throw new Error(`a control character in a row: ${JSON.stringify(line)}`);
    }
    const texts = line.split(delimiter);
    if (texts.length !== fields.length) {
      throw new Error(`${texts.length} fields for ${fields.length} columns: ${JSON.stringify(line)}`);
    }
    return Object.fromEntries(
      fields.map((f, k) => [f.name, csvCell((texts[k] as string).trim(), f.type, nullMarker)]),
    );
  });
}
