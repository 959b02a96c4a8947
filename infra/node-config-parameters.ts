// Turns the user's NodePool / EC2NodeClass YAML files into the SSM parameters the functions read
// at run time: one String parameter per file, named after the file, under the cluster's prefix.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** SSM's value limits: standard parameters hold 4 KB, advanced ones 8 KB. */
export const STANDARD_PARAMETER_MAX_BYTES = 4 * 1024;
export const ADVANCED_PARAMETER_MAX_BYTES = 8 * 1024;

export type ParameterTier = 'standard' | 'advanced';

export interface NodeConfigParameter {
  /** The file it came from, as given. */
  file: string;
  /** Full parameter name: `<prefix>/<file basename>`. */
  name: string;
  value: string;
  tier: ParameterTier;
}

/** `/nodewright/<cluster>/config`: the path every function reads its configuration from. */
export function configParameterPrefix(clusterName: string): string {
  return `/nodewright/${clusterName}/config`;
}

/** Advanced (paid) tier only when the file does not fit a standard parameter. */
export function tierFor(valueBytes: number): ParameterTier {
  return valueBytes > STANDARD_PARAMETER_MAX_BYTES ? 'advanced' : 'standard';
}

// SSM allows letters, digits and `.-_` in a name segment.
const PARAMETER_SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * Reads and checks every file: it must exist, parse as YAML (one or more documents), fit in an
 * advanced parameter, and have a basename that is a valid, unique parameter name segment.
 * Errors name the file and what is wrong with it, so a bad file fails `cdk synth`, not a Lambda.
 */
export function loadNodeConfigParameters(clusterName: string, files: readonly string[]): NodeConfigParameter[] {
  if (files.length === 0) {
    throw new Error('nodeConfigFiles: at least one NodePool/EC2NodeClass YAML file is required, got none');
  }
  const prefix = configParameterPrefix(clusterName);
  const seen = new Map<string, string>();
  return files.map((file) => {
    const segment = basename(file);
    if (!PARAMETER_SEGMENT.test(segment)) {
      throw new Error(`nodeConfigFiles: file name "${segment}" (${file}) may only contain letters, digits, '.', '-' and '_' to be an SSM parameter name`);
    }
    const clash = seen.get(segment);
    if (clash !== undefined) {
      throw new Error(`nodeConfigFiles: "${file}" and "${clash}" have the same file name "${segment}"; each file becomes parameter ${prefix}/<file name>, so names must be unique`);
    }
    seen.set(segment, file);

    let value: string;
    try {
      value = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`nodeConfigFiles: cannot read "${file}": ${(error as Error).message}`);
    }
    if (value.trim() === '') {
      throw new Error(`nodeConfigFiles: "${file}" is empty`);
    }
    const broken = parseAllDocuments(value).flatMap((doc) => ('errors' in doc ? doc.errors : []));
    if (broken.length > 0) {
      throw new Error(`nodeConfigFiles: "${file}" is not valid YAML: ${broken[0]!.message}`);
    }
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > ADVANCED_PARAMETER_MAX_BYTES) {
      throw new Error(`nodeConfigFiles: "${file}" is ${bytes} bytes; an SSM parameter holds at most ${ADVANCED_PARAMETER_MAX_BYTES}, split it into several files`);
    }
    return { file, name: `${prefix}/${segment}`, value, tier: tierFor(bytes) };
  });
}
