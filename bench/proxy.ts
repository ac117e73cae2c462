/**
 * A pass-through HTTP proxy in front of DynamoDB Local that counts what Query calls read: the sum
 * of ScannedCount (items the query evaluated) and Count of every Query response. DynamoDB Local
 * reports no reliable consumed capacity, and the bundled function's client cannot be hooked.
 */
import { createServer, request } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** The running proxy: its endpoint, the counters since the last reset, and close(). */
export interface CountingProxy {
  readonly endpoint: string;
  readonly scanned: number;
  readonly count: number;
  readonly queries: number;
  reset(): void;
  close(): Promise<void>;
}

/** Starts the proxy on a free port, forwarding everything to `target`. */
export async function countingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const totals = { scanned: 0, count: 0, queries: 0 };
  const server = createServer((req, res) => {
    const isQuery = String(req.headers['x-amz-target'] ?? '').endsWith('.Query');
    const forward = request(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => {
          if (isQuery) chunks.push(chunk);
          res.write(chunk);
        });
        answer.on('end', () => {
          res.end();
          if (!isQuery || answer.statusCode !== 200) return;
          const raw = Buffer.concat(chunks);
          const body = JSON.parse((answer.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8')) as { Count?: number; ScannedCount?: number };
          totals.queries++;
          totals.count += body.Count ?? 0;
          totals.scanned += body.ScannedCount ?? body.Count ?? 0;
        });
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get scanned() {
      return totals.scanned;
    },
    get count() {
      return totals.count;
    },
    get queries() {
      return totals.queries;
    },
    reset: () => Object.assign(totals, { scanned: 0, count: 0, queries: 0 }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
