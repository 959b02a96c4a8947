// Which AMI a node of an architecture boots when the EC2NodeClass selects images by id, name or
// tags rather than by alias: as Karpenter does, the newest of the matching images built for that
// architecture (CreationDate; equal dates fall to the lower image id, so the choice is stable).
import type { MachineImage } from '../types.ts';

/** The image for `architecture` (amd64 | arm64) among those the terms matched; undefined when none is built for it. */
export function chooseImage(images: MachineImage[], architecture: string): MachineImage | undefined {
  let best: MachineImage | undefined;
  for (const image of images) {
    if (image.architecture !== architecture) continue;
    if (!best || image.creationDate > best.creationDate || (image.creationDate === best.creationDate && image.imageId < best.imageId)) best = image;
  }
  return best;
}
