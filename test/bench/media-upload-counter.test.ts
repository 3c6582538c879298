import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaUploadCounter } from '../../bench/media-upload-counter.js';

const BOUNDARY = 'b0und4ry';
const METADATA = '{"configuration":{"load":{"sourceFormat":"NEWLINE_DELIMITED_JSON"}},"note":"é"}';
const DATA = '{"a":1}\n{"b":"ü"}\n{"c":3}\n';
/** As teeny-request frames the client's media upload. */
const BODY = Buffer.from(
  `--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n${METADATA}\r\n` +
    `--${BOUNDARY}\r\nContent-Type: application/octet-stream\r\n\r\n${DATA}\r\n--${BOUNDARY}--`,
);

function countIn(chunkSize: number): ReturnType<MediaUploadCounter['end']> {
  const counter = new MediaUploadCounter(BOUNDARY);
  for (let at = 0; at < BODY.length; at += chunkSize) counter.write(BODY.subarray(at, at + chunkSize));
  return counter.end();
}

describe('MediaUploadCounter', () => {
  it('keeps the metadata part and counts the data part, however the body is chunked', () => {
    for (const size of [1, 2, 7, 64, BODY.length]) {
      assert.deepEqual(
        countIn(size),
        { metadata: METADATA, bytes: Buffer.byteLength(DATA), lines: 3 },
        `chunks of ${size}`,
      );
    }
  });

  it('rejects a body cut off before its closing delimiter', () => {
    const counter = new MediaUploadCounter(BOUNDARY);
    counter.write(BODY.subarray(0, BODY.length - 3));
    assert.throws(() => counter.end(), /ended early/);
  });
});
