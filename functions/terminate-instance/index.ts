// AWS Lambda entry: the step wired to the adapters it uses, from this function's environment.
import { awsPorts, computePort, clusterPort } from '../../shared/runtime/aws-ports.ts';
import { terminateInstance } from './handler.ts';

export const handler = terminateInstance(awsPorts({ compute: computePort, cluster: clusterPort }));
