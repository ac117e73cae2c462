/**
 * `npm run cleanup [-- --at <ISO time>]`: runs the schedule once against the running local stack,
 * as if it were that time (to preview what it would send, or to test without waiting), and prints
 * what it changed and which notices it sent or queued.
 */
import './quiet.js';
import { readFile } from 'node:fs/promises';
import { runCleanup } from '../../shared/cleanup/service.js';
import { movableClock, useClock } from '../../shared/clock.js';
import { logger } from '../../shared/log.js';
import { parseCleanupArgs } from './cleanup-args.js';
import { readSettings } from './settings.js';
import { stackFile, useEnvironment, type StackFile } from './stack.js';

const args = parseCleanupArgs(process.argv.slice(2));
if ('error' in args) {
  console.error(args.error);
  process.exit(2);
}
const settings = readSettings();
let stack: StackFile;
try {
  stack = JSON.parse(await readFile(stackFile(settings.dataDir), 'utf8')) as StackFile;
} catch {
  console.error(`error: no local stack is running for ${settings.dataDir}: start one with npm start (same LOCAL_DATA_DIR)`);
  process.exit(1);
}
useEnvironment(stack);
// The report says what the run's info line would; warnings (a notice that failed) still show.
if (process.env.POWERTOOLS_LOG_LEVEL === undefined) logger.setLogLevel('WARN');
if (args.at !== undefined) useClock(movableClock(args.at));
console.log(JSON.stringify(await runCleanup(), null, 2));
