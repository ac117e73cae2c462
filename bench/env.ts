/**
 * Imported first by the benchmark: Lambda runs Node 22, where the SDK's notice about Node 20
 * does not appear. Nothing else changes: unlike `npm start`, metrics stay on, as deployed.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
