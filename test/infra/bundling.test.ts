// Bundling as deployed: esbuild through infra/bundle.ts, and NodejsFunction through the CDK, with
// the one set of options in infra/bundling.ts. A stand-in handler keeps this independent of the
// real handlers, and proves the ESM bundle runs on Node with CommonJS dependencies inside.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleFunction, bundleFunctions, discoverFunctions } from '../../infra/bundle.ts';
import { ESM_REQUIRE_BANNER, lambdaBundlingOptions } from '../../infra/bundling.ts';
import { FIXTURES } from './synth-helpers.ts';

const FIXTURE_FUNCTIONS = join(FIXTURES, 'functions');
const scratch = mkdtempSync(join(tmpdir(), 'nodewright-bundling-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('infra/bundle.ts', () => {
  it('finds the folders that hold an index.ts', () => {
    expect(discoverFunctions(FIXTURE_FUNCTIONS)).toEqual(['echo']);
  });

  it('writes a minified ESM bundle with a source map that runs on Node, CommonJS dependencies included', async () => {
    const result = await bundleFunction('echo', FIXTURE_FUNCTIONS, join(scratch, 'dist'));
    expect(result.outfile).toBe(join(scratch, 'dist', 'echo', 'index.mjs'));
    const code = readFileSync(result.outfile, 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    expect(result.bytes).toBe(Buffer.byteLength(code));
    expect(existsSync(`${result.outfile}.map`)).toBe(true);
    // Minified: the handler's local `form` has been renamed (booleans keep a failure message short).
    expect(/\bform\s*=\s*new\b/.test(code)).toBe(false);

    const bundled = await import(pathToFileURL(result.outfile).href) as { handler: (e: { yaml: string }) => Promise<unknown> };
    await expect(bundled.handler({ yaml: 'nodePool: default' })).resolves.toEqual({ parsed: { nodePool: 'default' }, boundaryLength: 50 });
  });

  it('names the function and the missing piece when it cannot bundle', async () => {
    await expect(bundleFunction('nope', FIXTURE_FUNCTIONS, scratch)).rejects.toThrow(/function "nope": no entry file/);
    await expect(bundleFunctions(['echo', 'nope'], FIXTURE_FUNCTIONS, scratch)).rejects.toThrow(/unknown function\(s\) nope; found: echo/);
  });
});

describe('NodejsFunction with the shared options', () => {
  it('bundles with the local esbuild (no Docker) into index.mjs with the banner and a source map', () => {
    const app = new App({ outdir: join(scratch, 'cdk.out') });
    const stack = new Stack(app, 'BundlingStack');
    new NodejsFunction(stack, 'Echo', {
      entry: join(FIXTURE_FUNCTIONS, 'echo', 'index.ts'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      bundling: lambdaBundlingOptions(),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Runtime: 'nodejs22.x' });

    const assetDirs = readdirSync(join(scratch, 'cdk.out')).filter((name) => name.startsWith('asset.'));
    expect(assetDirs).toHaveLength(1);
    const files = readdirSync(join(scratch, 'cdk.out', assetDirs[0]!)).sort();
    expect(files).toEqual(['index.mjs', 'index.mjs.map']);
    expect(readFileSync(join(scratch, 'cdk.out', assetDirs[0]!, 'index.mjs'), 'utf8').startsWith(ESM_REQUIRE_BANNER)).toBe(true);
  });
});
