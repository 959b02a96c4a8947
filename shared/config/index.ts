// Public face of the node configuration: NodePool and EC2NodeClass YAML in, domain objects out.
export { parseNodeConfig, withBuiltins, type NodeConfig } from './load.ts';
export {
  builtinNodePools,
  builtinNodeClass,
  builtinNodeClassForCluster,
  BUILTIN_NODE_CLASS_NAME,
  BUILTIN_NODE_ROLE,
  DISCOVERY_TAG,
} from './builtins.ts';
export { parseDuration } from './duration.ts';
export { parseQuantity } from './quantity.ts';
export { normalizeLabelKey, AUTO_MODE_LABEL_ALIASES } from './aliases.ts';
export { DEFAULT_EXPIRE_AFTER, DEFAULT_CONSOLIDATE_AFTER, DEFAULT_BUDGET_NODES, REQUIREMENT_OPERATORS } from './nodepool.ts';
export { DEFAULT_METADATA_OPTIONS } from './nodeclass.ts';
