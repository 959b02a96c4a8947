// AWS Lambda entry: the step wired to the adapters it uses, from this function's environment.
import { awsPorts, clusterPort } from '../../shared/runtime/aws-ports.ts';
import { drainNode } from './handler.ts';

export const handler = drainNode(awsPorts({ cluster: clusterPort }));
