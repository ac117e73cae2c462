// Spawned by the benchmark in a fresh Node process: prints how long (ms) importing the module
// at argv[2] takes, i.e. a cold start's module init (with whatever NODE_OPTIONS the function's environment gives).
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const started = performance.now();
await import(pathToFileURL(process.argv[2]).href);
process.stdout.write(String(performance.now() - started));
