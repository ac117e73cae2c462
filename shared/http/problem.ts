/** Turns any thrown error into an RFC 9457 problem+json answer (or an HTML page on the customer's routes). */
import * as z from 'zod';
import { AppError, ValidationError } from '../errors.js';
import { logger } from '../log.js';
import { originalStack } from '../stack-traces.js';
import type { HttpResponse } from './responses.js';

/** An RFC 9457 problem as this API writes it (the schema of every error answer). */
export const problemSchema = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string(),
  /** Stable UPPER_SNAKE identifier clients branch on. */
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  /** Each invalid field of a VALIDATION_FAILED answer. */
  errors: z.array(z.strictObject({ path: z.string(), message: z.string() })).readonly().optional(),
});
export type Problem = z.output<typeof problemSchema>;

/** The problem an error stands for; anything unexpected becomes an opaque 500 and is logged. */
export function toProblem(error: unknown): { problem: Problem; headers: Record<string, string> } {
  if (error instanceof AppError) {
    const problem: Problem = {
      type: `urn:partner-relationships:problem:${error.code.toLowerCase().replaceAll('_', '-')}`,
      title: error.title,
      status: error.status,
      detail: error.message,
      code: error.code,
      ...(error instanceof ValidationError && error.errors.length > 0 ? { errors: error.errors } : {}),
    };
    return { problem, headers: error.headers };
  }
  logger.error('Unhandled error', { error: describe(error) });
  return {
    problem: {
      type: 'urn:partner-relationships:problem:internal-error',
      title: 'Internal error',
      status: 500,
      detail: 'Something went wrong on our side. Please try again later.',
      code: 'INTERNAL_ERROR',
    },
    headers: {},
  };
}

/** A problem+json response. */
export function problemResponse(problem: Problem, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode: problem.status,
    headers: { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(problem),
  };
}

/** Name, message and the stack in source terms only: SDK errors can carry request details we do not want in logs. */
function describe(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error) return { name: error.name, message: error.message, ...(error.stack === undefined ? {} : { stack: originalStack(error.stack) }) };
  return { name: 'NonError', message: String(error) };
}
