// chooseImage: among the AMIs a class's terms select, the newest built for the node's architecture.
import { describe, expect, it } from 'vitest';
import { chooseImage } from '../../shared/provisioning/image-choice.ts';
import type { MachineImage } from '../../shared/types.ts';

const image = (imageId: string, architecture: string, creationDate: string): MachineImage => ({ imageId, name: imageId, architecture, creationDate });

const IMAGES = [
  image('ami-a1', 'amd64', '2026-01-01T00:00:00.000Z'),
  image('ami-a2', 'amd64', '2026-03-01T00:00:00.000Z'),
  image('ami-r1', 'arm64', '2026-02-01T00:00:00.000Z'),
  image('ami-m1', 'x86_64_mac', '2026-06-01T00:00:00.000Z'),
];

describe('chooseImage', () => {
  it.each([
    { arch: 'amd64', images: IMAGES, expected: 'ami-a2', why: 'the newest of the amd64 images' },
    { arch: 'arm64', images: IMAGES, expected: 'ami-r1', why: 'only images of the architecture count, however new the others' },
    { arch: 'amd64', images: [image('ami-b', 'amd64', '2026-01-01T00:00:00.000Z'), image('ami-a', 'amd64', '2026-01-01T00:00:00.000Z')], expected: 'ami-a', why: 'the same date falls to the lower id' },
    { arch: 'arm64', images: IMAGES.filter((i) => i.architecture !== 'arm64'), expected: undefined, why: 'none when no image is built for it' },
    { arch: 'amd64', images: [], expected: undefined, why: 'none when nothing matched' },
  ])('$why', ({ arch, images, expected }) => {
    expect(chooseImage(images, arch)?.imageId).toBe(expected);
  });
});
