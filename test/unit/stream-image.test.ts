import { describe, expect, it } from 'vitest';
import { decodeStreamImage, StreamImageError } from '../../shared/events/stream.js';

describe('decoding a stream record image as AWS sends it', () => {
  it('decodes empty maps and lists, sets, numbers sent as strings, NULL, booleans and binaries', () => {
    // Prepare: the JSON of a stream record's NewImage, verbatim.
    const image = JSON.parse(`{
      "details": {"M": {}},
      "roles": {"L": []},
      "nested": {"M": {"empty": {"M": {}}, "list": {"L": [{"M": {}}, {"L": []}, {"N": "1.5"}]}}},
      "tags": {"SS": ["a", "b"]},
      "counts": {"NS": ["1", "-2.25"]},
      "blobs": {"BS": ["AAE="]},
      "blob": {"B": "AAE="},
      "ttl": {"N": "1830725101"},
      "huge": {"N": "12345678901234567890123"},
      "gone": {"NULL": true},
      "yes": {"BOOL": true},
      "name": {"S": ""}
    }`);
    // Act
    const decoded = decodeStreamImage(image);
    // Assess
    expect(decoded).toEqual({
      details: {},
      roles: [],
      nested: { empty: {}, list: [{}, [], 1.5] },
      tags: ['a', 'b'],
      counts: [1, -2.25],
      blobs: ['AAE='],
      blob: 'AAE=',
      ttl: 1_830_725_101,
      huge: '12345678901234567890123',
      gone: null,
      yes: true,
      name: '',
    });
    // A set survives JSON (a JavaScript Set would serialise as {}).
    expect(JSON.parse(JSON.stringify(decoded))).toEqual(decoded);
  });

  it('refuses a value without exactly one type key, naming where it is', () => {
    expect(() => decodeStreamImage({ details: { M: { reason: {} } } } as never)).toThrow(new StreamImageError('The attribute details.reason has 0 type keys, not one'));
    expect(() => decodeStreamImage({ n: { N: 'x' } })).toThrow(StreamImageError);
    expect(() => decodeStreamImage(undefined)).toThrow(StreamImageError);
  });
});
