// AWS Lambda entry: the step wired to the AWS and Kubernetes adapters from this function's environment.
import { awsPorts } from '../../shared/runtime/aws-ports.ts';
import { routeEvent } from './handler.ts';

export const handler = routeEvent(awsPorts());
