// Looks up a NodePool and the EC2NodeClass it references, failing with the names that are missing.

import { ConfigurationNotFoundError } from '../errors.ts';
import type { NodeConfigPort } from '../ports.ts';
import type { NodeClass, NodePool } from '../types.ts';

export async function loadPoolAndClass(
  config: NodeConfigPort,
  poolName: string,
): Promise<{ nodePool: NodePool; nodeClass: NodeClass }> {
  const nodePool = await config.nodePool(poolName);
  if (!nodePool) throw new ConfigurationNotFoundError(`NodePool "${poolName}" is not configured`);
  const nodeClass = await config.nodeClass(nodePool.nodeClassRef.name);
  if (!nodeClass) {
    throw new ConfigurationNotFoundError(
      `NodePool "${poolName}" references EC2NodeClass "${nodePool.nodeClassRef.name}", which is not configured`,
    );
  }
  return { nodePool, nodeClass };
}
