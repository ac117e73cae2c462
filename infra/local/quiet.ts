/**
 * Environment defaults for the local commands, imported first so they hold before any module
 * reads them: Node 20 is the supported local runtime (the SDK's notice about Node 22 is noise
 * here), and EMF metric lines would only crowd the terminal.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
