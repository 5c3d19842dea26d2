/**
 * The `--id-network` flag of the phase-I and phase-II trainers and the loading of the identity loss's feature
 * network it names (or the config's `idNetwork`, relative to the config file).
 *
 * @module
 */

import { dirname, isAbsolute, join } from "node:path";
import { type IdNetwork, loadIdNetwork } from "../editing/classifier_features.ts";
import { checkInputFile } from "../io/output_check.ts";

/** The flag, for a command's spec. */
export const ID_NETWORK_FLAG = {
  "id-network": {
    type: "string",
    valueName: "FILE",
    description:
      "feature network of the identity loss, a classifier from learn-directions (default: the config's idNetwork)",
  },
} as const;

/**
 * The identity network when the identity weight is positive, else undefined.
 *
 * @param weight the identity loss weight
 * @param flag the `--id-network` value (relative to the working folder)
 * @param configured the config's `idNetwork` (relative to the config file)
 * @param configPath the config file
 * @returns the network, or undefined when the weight is 0
 * @throws {TypeError} when the weight is positive and no network is named
 */
export async function idNetworkFor(
  weight: number,
  flag: string | undefined,
  configured: unknown,
  configPath: string,
): Promise<IdNetwork | undefined> {
  if (!(weight > 0)) return undefined;
  if (configured !== null && configured !== undefined && typeof configured !== "string") {
    throw new TypeError(`${configPath}: idNetwork must be a file path, got ${JSON.stringify(configured)}`);
  }
  const path = flag ??
    (configured ? (isAbsolute(configured) ? configured : join(dirname(configPath), configured)) : undefined);
  if (!path) {
    throw new TypeError(
      "The identity loss weight is positive but no feature network is named: pass --id-network FILE or set " +
        "idNetwork in the config (e.g. data/models/default/attributes/conv.safetensors)",
    );
  }
  await checkInputFile(
    path,
    flag ? "identity network (--id-network)" : "identity network (the config's idNetwork)",
  );
  const network = await loadIdNetwork(path);
  console.log(`identity loss: ${network.description}`);
  return network;
}
