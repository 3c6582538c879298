/**
 * Splits a streamed NDJSON body into batches of lines, one batch per network chunk, so memory
 * holds one chunk whatever the window's size. Iterable sends stray blank lines and may omit the
 * last newline (shared/iterable-api.md, "Event export"): blank lines are dropped, a final line
 * without its newline is kept.
 */
export async function* ndjsonBatches(body: AsyncIterable<Uint8Array>): AsyncIterable<string[]> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of body) {
    const text = rest + decoder.decode(chunk, { stream: true });
    const lines: string[] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      pushLine(lines, text.slice(start, end));
      start = end + 1;
    }
    rest = text.slice(start);
    if (lines.length > 0) yield lines;
  }
  const last: string[] = [];
  pushLine(last, rest + decoder.decode());
  if (last.length > 0) yield last;
}

function pushLine(lines: string[], line: string): void {
  const trimmed = line.trim();
  if (trimmed.length > 0) lines.push(trimmed);
}
