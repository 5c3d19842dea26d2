/**
 * Training losses of HyperInverter phase II (spec §5).
 *
 * @module
 */
export { discriminatorLogisticLoss, meanAll, nonSaturatingLoss, softplus } from "./adversarial.ts";
export { faceAveragePool } from "./face_pool.ts";
export { type FeatureExtractor, identityLoss } from "./identity.ts";
export { l2Loss } from "./l2.ts";
export {
  alexNetTaps,
  lpips,
  LPIPS_SCALE,
  LPIPS_SHIFT,
  type LpipsResult,
  maxPool3x3Stride2,
} from "./lpips.ts";
export { type R1Options, r1Penalty, type R1Result } from "./r1.ts";
export {
  l2AndPsnrOnUnitRange,
  psnr,
  psnrFromMse,
  type PsnrOptions,
  type UnitRangeL2AndPsnr,
  type UnitRangeOptions,
} from "./psnr.ts";
export { imageMetrics, type PhaseMetrics } from "./image_metrics.ts";
export { gaussianWindow, MS_SSIM_WEIGHTS, msSsim, type MsSsimOptions, msSsimOptionsFor } from "./ms_ssim.ts";
export { adaptiveAverageMatrix, adaptiveAveragePool, arcFaceExtractor } from "./arcface.ts";
export {
  type FeatureStatistics,
  featureStatistics,
  frechetDistance,
  symmetricEigen,
} from "./frechet_distance.ts";
export {
  checkReconstructionWeights,
  MS_SSIM_LOSS_FLOOR,
  RECONSTRUCTION_TERMS,
  reconstructionLoss,
  type ReconstructionTerm,
  type ReconstructionWeights,
} from "./reconstruction.ts";
