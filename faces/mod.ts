/**
 * Faces without Python: detection and 68 landmarks (face-api on tfjs WASM), FFHQ alignment, identity similarity
 * (face-api's recognition net, not CurricularFace; also as a graph FeatureExtractor for an identity loss),
 * apparent age and head yaw.
 *
 * @module
 */

export * from "./rgb_image.ts";
export * from "./detect.ts";
export * from "./ffhq_align.ts";
export * from "./face_crop.ts";
export * from "./identity.ts";
export * from "./age.ts";
export * from "./yaw.ts";
export * from "./ssim.ts";
export type { FaceBackend } from "./_face_api.ts";
export * from "./recognition_graph.ts";
export * from "./attribute_scores.ts";
export * from "./paste_back.ts";
