/**
 * An SES endpoint of a test's own, speaking SES's v1 query API as the SDK does, for what the
 * shared SES stand-in cannot do: refuse a send in SES's own error shape, or take it and drop the
 * connection before answering.
 */
import { createServer } from 'node:http';

/** What the endpoint does with one SendEmail: take it (and answer), take it and never answer, or refuse it as SES would. */
export type SesAnswer = 'accept' | 'swallow' | { readonly status: 400 | 503; readonly code: 'Throttling' | 'ServiceUnavailable'; readonly message: string };

/** SES refusing for its sending rate (400) and for being unavailable (503), as it words them. */
export const THROTTLED: SesAnswer = { status: 400, code: 'Throttling', message: 'Maximum sending rate exceeded.' };
export const UNAVAILABLE: SesAnswer = { status: 503, code: 'ServiceUnavailable', message: 'Service is unavailable.' };

export interface SesEndpoint {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the endpoint on a free port; `answer` sees each request's form fields and decides. */
export async function startSesEndpoint(answer: (fields: URLSearchParams) => SesAnswer): Promise<SesEndpoint> {
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const id = ++requests;
      const decided = answer(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      if (decided === 'swallow') {
        req.socket.destroy();
        return;
      }
      res.writeHead(decided === 'accept' ? 200 : decided.status, { 'Content-Type': 'text/xml' });
      res.end(
        decided === 'accept'
          ? `<SendEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendEmailResult><MessageId>m-${id}</MessageId></SendEmailResult><ResponseMetadata><RequestId>r-${id}</RequestId></ResponseMetadata></SendEmailResponse>`
          : `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>${decided.code}</Code><Message>${decided.message}</Message></Error><RequestId>r-${id}</RequestId></ErrorResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The SES endpoint has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error === undefined ? resolve() : reject(error)))),
  };
}
