// AWS Lambda entry: the step wired to the adapters it uses, from this function's environment.
import { awsPorts, computePort, clusterPort, nodeConfigPort, availabilityPort, pricingPort } from '../../shared/runtime/aws-ports.ts';
import { planReplacementStep } from './handler.ts';

export const handler = planReplacementStep(awsPorts({ compute: computePort, pricing: pricingPort, cluster: clusterPort, nodeConfig: nodeConfigPort, availability: availabilityPort }));
