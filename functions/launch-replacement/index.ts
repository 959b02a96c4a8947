// AWS Lambda entry: the step wired to the adapters it uses, from this function's environment.
import { awsPorts, computePort, nodeConfigPort, clusterInfoPort, parametersPort, availabilityPort } from '../../shared/runtime/aws-ports.ts';
import { launchReplacement } from './handler.ts';

export const handler = launchReplacement(awsPorts({ compute: computePort, nodeConfig: nodeConfigPort, clusterInfo: clusterInfoPort, parameters: parametersPort, availability: availabilityPort }));
