// The deployable unit: one stack holding nodewright's spot-interruption path for one cluster.
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { NodewrightSpotInterruption, type NodewrightSpotInterruptionProps } from './spot-interruption-construct.ts';

export interface NodewrightStackProps extends StackProps {
  spotInterruption: NodewrightSpotInterruptionProps;
}

export class NodewrightStack extends Stack {
  readonly spotInterruption: NodewrightSpotInterruption;

  constructor(scope: Construct, id: string, props: NodewrightStackProps) {
    super(scope, id, {
      description: `nodewright: serverless node lifecycle for EKS cluster ${props.spotInterruption.clusterName}`,
      ...props,
    });
    this.spotInterruption = new NodewrightSpotInterruption(this, 'SpotInterruption', props.spotInterruption);
  }
}
