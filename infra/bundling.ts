// One definition of how a Lambda handler is bundled, shared by the CDK construct (which hands it
// to NodejsFunction) and infra/bundle.ts (which calls esbuild directly for size and cold-start
// figures), so the numbers measured locally are the numbers of what gets deployed.
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** The Lambda runtime's Node major; esbuild may emit any syntax it supports. */
export const LAMBDA_NODE_TARGET = 'node22';

/**
 * ESM output has no `require`; some CommonJS dependencies bundled into it (parts of the SDK's
 * dependency tree, @kubernetes/client-node's) still call it, so the bundle recreates one.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** Prefer a package's ESM build: it tree-shakes better and imports faster than the CJS one. */
export const MAIN_FIELDS = ['module', 'main'];

/**
 * Source maps carry mappings only, not the sources: stack traces need no more, and Node parses a
 * third of the bytes at start-up under --enable-source-maps.
 *
 * Options for NodejsFunction. The AWS SDK is bundled rather than taken from the runtime: a
 * bundled, tree-shaken SDK imported faster than the runtime's copy in our measurements, and it
 * pins the SDK version we test against.
 */
export function lambdaBundlingOptions(): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: LAMBDA_NODE_TARGET,
    mainFields: MAIN_FIELDS,
    banner: ESM_REQUIRE_BANNER,
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    bundleAwsSDK: true,
    externalModules: [],
    // Docker has no engine on our machines or in CI; the local esbuild must be used.
    forceDockerBundling: false,
  };
}

/** The same bundle through esbuild's API: `entry` bundled into the single file `outfile` (.mjs). */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: LAMBDA_NODE_TARGET,
    mainFields: MAIN_FIELDS,
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
  };
}
