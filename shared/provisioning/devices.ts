// Which extended resource (well-known.ts) an instance type's accelerators are scheduled as:
// Karpenter's AWS provider advertises NVIDIA GPUs as nvidia.com/gpu, AMD GPUs as amd.com/gpu,
// Habana Gaudi as habana.ai/gaudi and AWS Neuron devices (Inferentia, Trainium) as
// aws.amazon.com/neuron. A pod asking for one kind fits only types carrying it: NVIDIA's on a g5,
// never on an inf2.
import type { Resources } from '../types.ts';
import { DEFAULT_ACCELERATOR_RESOURCE } from '../well-known.ts';
import type { InstanceTypeInfo } from './model.ts';

const GPU_RESOURCE_BY_MANUFACTURER: Record<string, string> = {
  nvidia: 'nvidia.com/gpu',
  amd: 'amd.com/gpu',
  habana: 'habana.ai/gaudi',
};

/** The type's schedulable accelerators, or undefined (none, or a kind no device plugin advertises: Qualcomm AI100). */
export function deviceOf(type: InstanceTypeInfo): { resource: string; count: number } | undefined {
  const gpu = type.gpu && GPU_RESOURCE_BY_MANUFACTURER[type.gpu.manufacturer];
  if (gpu) return { resource: gpu, count: type.gpu!.count };
  if (type.accelerator?.manufacturer === 'aws') return { resource: 'aws.amazon.com/neuron', count: type.accelerator.count };
  return undefined;
}

/** The accelerator resource a pod's requests ask for, or undefined when they ask for none. */
export function askedDevice(requests: Resources): string | undefined {
  return (requests.gpus ?? 0) > 0 ? requests.gpuResource ?? DEFAULT_ACCELERATOR_RESOURCE : undefined;
}

/** Whether a type can hold a pod's accelerator request at all: any type when it asks none, else one of that kind. */
export function carriesDevice(type: InstanceTypeInfo, requests: Resources): boolean {
  const asked = askedDevice(requests);
  return asked === undefined || deviceOf(type)?.resource === asked;
}
