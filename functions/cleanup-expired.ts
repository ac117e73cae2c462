/** Scheduled: expires what is overdue, through the sparse expiry index. A plain handler, no HTTP chain. */
import { runCleanup, type CleanupReport } from '../shared/cleanup/service.js';

export const handler = async (): Promise<CleanupReport> => runCleanup();
