// Public face of the events layer: EventBridge events in, normalized notices and actions out.
export { classifyEvent, CONSUMED_EVENTS } from './classify.ts';
export type { EventClassification } from './classify.ts';
export { actionFor, DRAIN_SAFETY_MARGIN_MS, REBALANCE_DRAIN_WINDOW_MS, SCHEDULED_CHANGE_DRAIN_WINDOW_MS, SCHEDULED_CHANGE_MIN_LEAD_MS } from './action.ts';
export { executionName, TIME_BUCKET_MS } from './execution-name.ts';
export { drillNotice } from './drill.ts';
