/**
 * Stands in for `semver` in the deployed bundles. Its one importer there is aws-xray-sdk-core's
 * AWS SDK v2 patcher (`captureAWS`, a version check), which nothing here calls: the Tracer
 * captures v3 clients. The real package is 28 KiB whose ~40 regular expressions are built at
 * every cold start (~4 ms). test/infra/bundles.test.ts keeps that patcher its only importer.
 */

/** Refuses: the SDK v2 patcher is not used by these functions. */
export function gte(): never {
  throw new Error('semver is not bundled: only the X-Ray AWS SDK v2 patcher (captureAWS) needs it, and the functions use SDK v3.');
}

export default { gte };
