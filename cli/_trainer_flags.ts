/**
 * The flags every trainer command shares (`--steps`, `--data`, `--device`), declared once.
 *
 * @module
 */

import { DEVICE_NAMES } from "../runtime/devices.ts";

/** `--steps`, `--data` and `--device` of train-generator, train-phase-one and train-phase-two. */
export const TRAINER_FLAGS = {
  steps: {
    type: "integer",
    min: 1,
    max: 10_000_000,
    description: "train up to this step (default: the config's steps)",
  },
  data: {
    type: "string",
    valueName: "SRC",
    description:
      'training images: "fashion-mnist", a folder, or "<module>#<export>" (default: the config\'s data)',
  },
  device: {
    type: "string",
    choices: DEVICE_NAMES,
    default: "auto",
    description: "where the training steps run (auto: a hardware GPU if one works, else the CPU)",
  },
} as const;
