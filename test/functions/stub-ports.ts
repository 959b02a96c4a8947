// Ports for handler tests: only what a test provides exists; touching anything else fails loudly.

import type { Ports } from '../../shared/ports.ts';

export function stubPorts(provided: Partial<Ports>): Ports {
  return new Proxy(
    { region: 'us-east-1', clock: { now: () => new Date('2026-11-28T10:00:00Z') }, ...provided } as Ports,
    {
      get(target, key: string) {
        if (key in target) return target[key as keyof Ports];
        if (key === 'then') return undefined;
        throw new Error(`the handler used ports.${key}, which this test did not provide`);
      },
    },
  );
}
