// AWS Lambda entry: the step wired to the adapters it uses, from this function's environment.
import { awsPorts, workflowsPort, deadLettersPort } from '../../shared/runtime/aws-ports.ts';
import { routeEvent } from './handler.ts';

export const handler = routeEvent(awsPorts({ workflows: workflowsPort, deadLetters: deadLettersPort }));
