// The environment every nodewright function starts with, and the extra variables of the few that
// need more. One definition for the construct and for the local cold-start benchmark.

export interface FunctionEnvironmentInput {
  clusterName: string;
  /** SSM path of the node configuration, e.g. `/nodewright/my-cluster/config`. */
  configPrefix: string;
  /** DynamoDB table of offerings refused for capacity. */
  availabilityTableName: string;
}

export function commonFunctionEnvironment(input: FunctionEnvironmentInput): Record<string, string> {
  return {
    NODEWRIGHT_CLUSTER_NAME: input.clusterName,
    NODEWRIGHT_CONFIG_PREFIX: input.configPrefix,
    NODEWRIGHT_AVAILABILITY_TABLE: input.availabilityTableName,
    POWERTOOLS_SERVICE_NAME: 'nodewright',
    POWERTOOLS_METRICS_NAMESPACE: 'nodewright',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // Stack traces in logs point at the TypeScript source, through the bundled source map.
    NODE_OPTIONS: '--enable-source-maps',
  };
}

/** route-event: where to start executions and where to put what it refuses. */
export const ROUTER_STATE_MACHINE_ARN_VARIABLE = 'NODEWRIGHT_SPOT_INTERRUPTION_STATE_MACHINE_ARN';
export const ROUTER_DEAD_LETTER_QUEUE_URL_VARIABLE = 'NODEWRIGHT_DEAD_LETTER_QUEUE_URL';
