/**
 * The encoder backbone both phase trainers use for 32² Fashion-MNIST by default (IR-SE, four one-unit stages of
 * 16–64 channels, 8 maps of 64×2×2), shared so that phase II's E1 is the architecture phase I trained.
 *
 * @module
 */

/** Default encoder fields of the Fashion-MNIST configs (each CLI adds the fields its config schema needs). */
export const FASHION_MNIST_ENCODER = {
  backbone: "ir_se",
  stemChannels: 16,
  stages: [
    { channels: 16, units: 1, stride: 1 },
    { channels: 32, units: 1, stride: 2 },
    { channels: 48, units: 1, stride: 2 },
    { channels: 64, units: 1, stride: 2 },
  ],
  seReduction: 8,
  nStyles: 8,
  featureSize: 2,
};
