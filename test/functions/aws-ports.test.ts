import { describe, expect, it } from 'vitest';
import { awsPorts, clusterPort, computePort, workflowsPort } from '../../shared/runtime/aws-ports.ts';

const env = { AWS_REGION: 'us-east-1', NODEWRIGHT_CLUSTER_NAME: 'my-cluster' };

describe('the AWS composition root', () => {
  it('builds only the ports a function asks for and names any other it touches', () => {
    const ports = awsPorts({ compute: computePort, cluster: clusterPort }, env);
    expect(ports.region).toBe('us-east-1');
    expect(typeof ports.compute.createFleet).toBe('function');
    expect(typeof ports.cluster.cordonNode).toBe('function');
    expect(() => ports.availability).toThrow(/without the availability port/);
  });

  it('names the missing environment variable', () => {
    expect(() => awsPorts({}, { AWS_REGION: 'us-east-1' })).toThrow(/NODEWRIGHT_CLUSTER_NAME is not set/);
    expect(() => awsPorts({ workflows: workflowsPort }, env)).toThrow(/NODEWRIGHT_SPOT_INTERRUPTION_STATE_MACHINE_ARN is not set/);
  });

  it('gives every entry under functions/ the ports its step uses', async () => {
    // Each entry wires its handler at import time, as a cold start does: it must load with the
    // settings the infra gives every function, and make no AWS call before its first event.
    process.env.AWS_REGION = 'us-east-1';
    process.env.NODEWRIGHT_CLUSTER_NAME = 'my-cluster';
    process.env.NODEWRIGHT_AVAILABILITY_TABLE = 'table';
    process.env.NODEWRIGHT_SPOT_INTERRUPTION_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:x';
    process.env.NODEWRIGHT_DEAD_LETTER_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111122223333/dlq';
    const { functions } = await import('../../functions/registry.ts');
    for (const name of Object.keys(functions)) {
      const entry = (await import(`../../functions/${name}/index.ts`)) as { handler: unknown };
      expect(typeof entry.handler, name).toBe('function');
    }
  });
});
