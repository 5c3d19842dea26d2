/**
 * LPIPS linear layers (PerceptualSimilarity `lpips/weights/v0.1/{alex,vgg,squeeze}.pth`: `lin{k}.model.1.weight`
 * [1, C_k, 1, 1], non-negative) and torchvision backbone state dicts, checked against the known layouts.
 *
 * @module
 */

import type { Weight } from "../io/weights_file.ts";
import { assertStateDictFits, type StateDict } from "./state_dict.ts";

/** Channels of the LPIPS taps of each backbone. */
export const LPIPS_CHANNELS = {
  alex: [64, 192, 384, 256, 256],
  vgg: [64, 128, 256, 512, 512],
  squeeze: [64, 128, 256, 384, 384, 512, 512],
} as const;

/**
 * Converts an LPIPS linear-layer file.
 *
 * @param stateDict the file's tensors
 * @param network which backbone the file belongs to
 * @param source file name, for messages
 * @returns the same tensors (validated: names, shapes, non-negative)
 * @throws {TypeError} listing every difference
 */
export function convertLpipsLinear(
  stateDict: StateDict,
  network: keyof typeof LPIPS_CHANNELS,
  source: string,
): StateDict {
  const expected = LPIPS_CHANNELS[network].map((c, k) => ({
    name: `lin${k}.model.1.weight`,
    shape: [1, c, 1, 1],
  }));
  assertStateDictFits(stateDict, expected, `LPIPS ${network} linear layers "${source}"`);
  for (const [name, weight] of stateDict) {
    if (weight.data.some((v) => !(v >= 0))) {
      throw new RangeError(`${source}: ${name} has negative or NaN weights`);
    }
  }
  return stateDict;
}

/** The torchvision layouts we read (for LPIPS backbones and encoder initialisation). */
export function torchvisionLayout(network: "alexnet" | "resnet34"): { name: string; shape: number[] }[] {
  const out: { name: string; shape: number[] }[] = [];
  if (network === "alexnet") {
    const convs: [number, number[]][] = [[0, [64, 3, 11, 11]], [3, [192, 64, 5, 5]], [6, [384, 192, 3, 3]], [
      8,
      [256, 384, 3, 3],
    ], [10, [256, 256, 3, 3]]];
    for (const [i, shape] of convs) {
      out.push({ name: `features.${i}.weight`, shape }, { name: `features.${i}.bias`, shape: [shape[0]] });
    }
    for (
      const [i, shape] of [[1, [4096, 9216]], [4, [4096, 4096]], [6, [1000, 4096]]] as [number, number[]][]
    ) {
      out.push({ name: `classifier.${i}.weight`, shape }, {
        name: `classifier.${i}.bias`,
        shape: [shape[0]],
      });
    }
    return out;
  }
  const bn = (prefix: string, c: number) =>
    ["weight", "bias", "running_mean", "running_var"].forEach((p) =>
      out.push({ name: `${prefix}.${p}`, shape: [c] })
    );
  out.push({ name: "conv1.weight", shape: [64, 3, 7, 7] });
  bn("bn1", 64);
  let inChannels = 64;
  [[64, 3], [128, 4], [256, 6], [512, 3]].forEach(([c, blocks], stage) => {
    for (let b = 0; b < blocks; b++) {
      const p = `layer${stage + 1}.${b}`;
      out.push({ name: `${p}.conv1.weight`, shape: [c, b === 0 ? inChannels : c, 3, 3] });
      bn(`${p}.bn1`, c);
      out.push({ name: `${p}.conv2.weight`, shape: [c, c, 3, 3] });
      bn(`${p}.bn2`, c);
      if (b === 0 && stage > 0) {
        out.push({ name: `${p}.downsample.0.weight`, shape: [c, inChannels, 1, 1] });
        bn(`${p}.downsample.1`, c);
      }
    }
    inChannels = c;
  });
  out.push({ name: "fc.weight", shape: [1000, 512] }, { name: "fc.bias", shape: [1000] });
  return out;
}

/**
 * Converts a torchvision AlexNet or ResNet-34 state dict (checked; `num_batches_tracked` dropped).
 *
 * @param stateDict the file's tensors
 * @param network which network
 * @param source file name, for messages
 * @returns the validated tensors
 */
export function convertTorchvision(
  stateDict: StateDict,
  network: "alexnet" | "resnet34",
  source: string,
): StateDict {
  const counter = (name: string) => name.endsWith("num_batches_tracked");
  assertStateDictFits(stateDict, torchvisionLayout(network), `torchvision ${network} "${source}"`, {
    ignore: counter,
  });
  return new Map([...stateDict].filter(([name]) => !counter(name)) as [string, Weight][]);
}
