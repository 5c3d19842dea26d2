/**
 * The paper's released architectures as manifest `architecture` sections (spec §1, §2–§4; the configurations of
 * the reference fixtures).
 *
 * @module
 */

import type { ArchitectureJson } from "./architecture.ts";

/** FFHQ 1024, IR-SE50 encoders, D = 128 ("Lightweight"), conv_without_bias: the official faces model. */
export const FFHQ_1024_D128: Readonly<ArchitectureJson> = Object.freeze({
  generator: { resolution: 1024 },
  wEncoder: { preset: "ffhq1024" },
  layerWiseEncoder: { preset: "ffhq1024" },
  hypernet: { hiddenDim: 128 },
  refinementPasses: 1,
});

/** LSUN Church 256, ResNet-34 encoders, D = 64: the configuration of the church reference fixture. */
export const CHURCH_256_D64: Readonly<ArchitectureJson> = Object.freeze({
  generator: { resolution: 256 },
  wEncoder: { preset: "church256" },
  layerWiseEncoder: { preset: "church256" },
  hypernet: { hiddenDim: 64 },
  refinementPasses: 1,
});
