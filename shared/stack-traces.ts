/**
 * Stack traces in the source's terms without `--enable-source-maps`, which makes Node read and
 * parse each bundle's ~1 MB source map at every cold start. The map ships beside the bundle
 * (`index.mjs.map`); it is read only when a stack is about to be logged, once per process, and
 * each frame of the bundle becomes the source file, line and column it was built from.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import type middy from '@middy/core';

const maps = new Map<string, SourceMap | undefined>();

/** The source map beside `file` (`file.map`), parsed once; `undefined` when there is none. */
function mapBeside(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    } catch {
      map = undefined;
    }
    maps.set(file, map);
  }
  return maps.get(file);
}

/** A frame's location in a built file: `file:///var/task/index.mjs:1:2345` (or a plain path). */
const BUILT_LOCATION = /(file:\/\/\/[^\s()]+?\.m?js|\/[^\s()]+?\.m?js):(\d+):(\d+)/g;

/** `stack` with each location in a bundle that has a map beside it replaced by its source location; other frames unchanged. */
export function originalStack(stack: string): string {
  // Node already did it (NODE_OPTIONS=--enable-source-maps, or a local run from source).
  if (process.sourceMapsEnabled) return stack;
  return stack.replace(BUILT_LOCATION, (location: string, file: string, line: string, column: string) => {
    const entry = mapBeside(file.startsWith('file:') ? fileURLToPath(file) : file)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (entry === undefined || !('originalSource' in entry)) return location;
    return `${entry.originalSource}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

/** A middy middleware giving a failed invocation's error its source stack before Lambda logs it (the handlers without the HTTP chain). */
export function originalStacks(): middy.MiddlewareObj {
  return {
    onError: (request) => {
      const error = request.error;
      if (error?.stack !== undefined) error.stack = originalStack(error.stack);
    },
  };
}
