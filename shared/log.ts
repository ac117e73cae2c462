/**
 * The structured logger. Nothing logs raw events, URLs with query strings, tokens or secrets:
 * callers pass only the fields they mean to record.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'partner-relationships' });
