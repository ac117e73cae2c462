/** `npm run cleanup`: runs the cleanup job once against the running local stack and prints what it changed. */
import './quiet.js';
import { readFile } from 'node:fs/promises';
import { runCleanup } from '../../shared/cleanup/service.js';
import { readSettings } from './settings.js';
import { stackFile, useEnvironment, type StackFile } from './stack.js';

const settings = readSettings();
let stack: StackFile;
try {
  stack = JSON.parse(await readFile(stackFile(settings.dataDir), 'utf8')) as StackFile;
} catch {
  console.error(`error: no local stack is running for ${settings.dataDir}: start one with npm start (same LOCAL_DATA_DIR)`);
  process.exit(1);
}
useEnvironment(stack);
console.log(JSON.stringify(await runCleanup(), null, 2));
