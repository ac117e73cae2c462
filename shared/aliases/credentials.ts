/**
 * The credential chain of the deployed bundles. Lambda gives every function its role's
 * credentials in the environment, the first link of the AWS SDK's default chain; the rest of
 * that chain (SSO, STS, IMDS, ini files, processes, with the SSO and STS clients: ~60 KiB) can
 * never be reached in Lambda, yet is bundled and loaded by every client. The bundling replaces
 * `@aws-sdk/credential-provider-node` with this module (app-function.ts BUNDLE_ALIASES).
 * Runs from source (tests, the local stack) keep the SDK's chain; local clients pass credentials.
 */

/** What the SDK's `defaultProvider` returns: a provider of the environment's credentials. */
export function defaultProvider(): () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }> {
  return async () => {
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken, AWS_CREDENTIAL_EXPIRATION: expiry } = process.env;
    if (!accessKeyId || !secretAccessKey) {
      throw new Error('No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), where Lambda puts the function role\'s.');
    }
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}), ...(expiry ? { expiration: new Date(expiry) } : {}) };
  };
}
