// AWS Lambda entry: the step wired to the adapters it uses, from this function's environment.
import { awsPorts, lifecyclePort } from '../../shared/runtime/aws-ports.ts';
import { completeLifecycleAction } from './handler.ts';

export const handler = completeLifecycleAction(awsPorts({ lifecycle: lifecyclePort }));
