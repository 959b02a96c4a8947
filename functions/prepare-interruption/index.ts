// AWS Lambda entry: the step wired to the adapters it uses, from this function's environment.
import { awsPorts, computePort, clusterPort } from '../../shared/runtime/aws-ports.ts';
import { prepareInterruption } from './handler.ts';

export const handler = prepareInterruption(awsPorts({ compute: computePort, cluster: clusterPort }));
