/**
 * AWS SDK clients are never reused after a call fails on the client side. A failure before any
 * service answered (a serialiser throwing half-way, a broken connection) can leave state behind in
 * the client: the SES query serialiser kept a half-built body and sent it with the next email.
 */

/** What this module needs of an SDK client (every v3 client and the DynamoDB DocumentClient). */
interface SdkClient {
  send(...args: never[]): unknown;
  destroy(): void;
  readonly middlewareStack: { add(middleware: never, options: never): void };
}

/** True when an SDK call failed without a service response (no HTTP status): serialisation, signing, network. */
export function isClientSideFailure(error: unknown): boolean {
  const metadata = typeof error === 'object' && error !== null ? (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata : undefined;
  return typeof metadata?.httpStatusCode !== 'number';
}

/**
 * Retires `client` at its first client-side failure: `forget` is called at once (so the caller's
 * next use builds a fresh client), nothing more leaves the retired client (calls still in flight on
 * it are refused before they are sent), and it is destroyed once its last call settles.
 */
export function retireOnClientSideFailure<C extends SdkClient>(client: C, forget: (client: C) => void): C {
  let retired = false;
  let inFlight = 0;
  const refuseWhenRetired = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
    if (retired) throw new Error('This AWS client was retired after a client-side failure; the request was not sent.');
    return next(args);
  };
  client.middlewareStack.add(refuseWhenRetired as never, { step: 'finalizeRequest', name: 'refuseWhenRetired', priority: 'low' } as never);
  client.send = async function guardedSend(this: C, ...args: Parameters<C['send']>) {
    inFlight += 1;
    try {
      // Looked up per call, so a test double installed on the class later is still reached.
      const send = (Object.getPrototypeOf(client) as C).send as (...a: Parameters<C['send']>) => Promise<unknown>;
      return await send.apply(client, args);
    } catch (error) {
      if (!retired && isClientSideFailure(error)) {
        retired = true;
        forget(client);
      }
      throw error;
    } finally {
      inFlight -= 1;
      if (retired && inFlight === 0) client.destroy();
    }
  } as C['send'];
  return client;
}
