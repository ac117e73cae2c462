/**
 * The local stand-in for EventBridge: enough of its JSON protocol for the SDK's PutEvents. It keeps
 * what it receives in memory (empty again on restart), logs one line per event (ids only) and serves
 * `GET /events`; it also keeps the stream records the poller gave up on, at `GET /events/dead-letters`,
 * where AWS would put them in the event source mapping's dead-letter queue.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen, readBody, sendJson as send } from './http.js';
import { assertPortFree, type RunningService } from './processes.js';
import type { DeadLetter } from './stream-poller.js';

/** One event as EventBridge would have received it. */
export interface ReceivedEvent {
  readonly eventId: string;
  readonly source: string;
  readonly detailType: string;
  /** The parsed `Detail` JSON (the raw string if it is not JSON). */
  readonly detail: unknown;
  readonly time: string;
  readonly eventBusName: string;
  readonly resources: readonly string[];
}

export interface EventBridgeStandIn extends RunningService {
  /** `GET` it for every event received, oldest first, as JSON. */
  readonly eventsUrl: string;
  /** `GET` it for every stream record the poller gave up on, oldest first, as JSON. */
  readonly deadLettersUrl: string;
  /** Every event received so far, oldest first. */
  events(): ReceivedEvent[];
  /** Keeps a record the stream poller gave up on (the dead-letter queue's part). */
  addDeadLetter(letter: DeadLetter): void;
  /** Every dead letter so far, oldest first. */
  deadLetters(): DeadLetter[];
  /** Makes the next `requests` PutEvents calls fail every entry (`FailedEntryCount`), as EventBridge does under throttling. */
  failNext(requests: number): void;
}

const JSON_1_1 = 'application/x-amz-json-1.1';
const MAX_BODY = 1024 * 1024;

interface RequestEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  Time?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
}

type ResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** Starts the EventBridge stand-in on `port` (0: any free port) on 127.0.0.1. */
export async function startEventBridgeStandIn(options: { port: number; log?: (line: string) => void }): Promise<EventBridgeStandIn> {
  await assertPortFree(options.port, 'EVENTS_PORT');
  const log = options.log ?? (() => undefined);
  const received: ReceivedEvent[] = [];
  const deadLetters: DeadLetter[] = [];
  let failing = 0;

  const putEvents = (body: { Entries?: unknown }): { FailedEntryCount: number; Entries: ResultEntry[] } => {
    const entries = Array.isArray(body.Entries) ? (body.Entries as RequestEntry[]) : [];
    if (failing > 0) {
      failing--;
      return {
        FailedEntryCount: entries.length,
        Entries: entries.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'Failing on purpose (failNext)' })),
      };
    }
    const results = entries.map((entry): ResultEntry => {
      if (typeof entry.Source !== 'string' || typeof entry.DetailType !== 'string' || typeof entry.Detail !== 'string') {
        return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required' };
      }
      const event: ReceivedEvent = {
        eventId: randomUUID(),
        source: entry.Source,
        detailType: entry.DetailType,
        detail: parseDetail(entry.Detail),
        // The SDK sends timestamps as epoch seconds.
        time: (typeof entry.Time === 'number' ? new Date(entry.Time * 1000) : new Date()).toISOString(),
        eventBusName: typeof entry.EventBusName === 'string' ? entry.EventBusName : 'default',
        resources: Array.isArray(entry.Resources) ? entry.Resources.filter((r): r is string => typeof r === 'string') : [],
      };
      received.push(event);
      const detail = event.detail as { id?: unknown } | undefined;
      log(`event: ${event.detailType} ${typeof detail?.id === 'string' ? detail.id : event.eventId}`);
      return { EventId: event.eventId };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => send(response, 500, JSON_1_1, { __type: 'InternalException', message: 'internal error' }));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/events') {
      send(response, 200, 'application/json', received);
      return;
    }
    if (request.method === 'GET' && path === '/events/dead-letters') {
      send(response, 200, 'application/json', deadLetters);
      return;
    }
    if (request.method !== 'POST' || path !== '/') {
      send(response, 404, 'application/json', { message: 'Not found: POST / (PutEvents), GET /events or GET /events/dead-letters' });
      return;
    }
    const target = request.headers['x-amz-target'];
    if (target !== 'AWSEvents.PutEvents') {
      send(response, 400, JSON_1_1, { __type: 'UnknownOperationException', message: `The stand-in answers AWSEvents.PutEvents only, not ${String(target)}` });
      return;
    }
    let body: { Entries?: unknown };
    try {
      body = JSON.parse(await readBody(request, MAX_BODY, () => new Error('request body too large'))) as { Entries?: unknown };
    } catch {
      send(response, 400, JSON_1_1, { __type: 'SerializationException', message: 'The request body is not JSON' });
      return;
    }
    send(response, 200, JSON_1_1, putEvents(body));
  }

  const port = await listen(server, options.port);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    eventsUrl: `http://localhost:${port}/events`,
    deadLettersUrl: `http://localhost:${port}/events/dead-letters`,
    events: () => [...received],
    addDeadLetter: (letter) => {
      deadLetters.push(letter);
    },
    deadLetters: () => [...deadLetters],
    failNext: (requests) => {
      failing = requests;
    },
    stop: () => closeServer(server),
  };
}

function parseDetail(detail: string): unknown {
  try {
    return JSON.parse(detail);
  } catch {
    return detail;
  }
}
