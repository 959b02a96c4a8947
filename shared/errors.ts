// Named errors: handlers throw them, workflows retry and catch on their `name`
// (Step Functions matches ErrorEquals against the error's name), the CLI prints their message.

export class NodewrightError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input to a handler, a CLI command or a loader failed validation; retrying will not help. */
export class InvalidInputError extends NodewrightError {
  constructor(
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(message);
  }
}

/** Every offering tried was refused for capacity; the offerings were marked unavailable, plan again. */
export class CapacityUnavailableError extends NodewrightError {}

/** No offering can satisfy the pods and the NodePool at all (not a transient capacity problem). */
export class NoCompatibleOfferingError extends NodewrightError {}

/** A dependency (AWS API, Kubernetes API) failed in a way worth retrying: throttling, 5xx, timeouts. */
export class TransientError extends NodewrightError {}

/** A configuration object (NodePool, EC2NodeClass, cluster) the step needs does not exist. */
export class ConfigurationNotFoundError extends NodewrightError {}
