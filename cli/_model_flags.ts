/**
 * Flags shared by the commands that load a model folder.
 *
 * @module
 */

/** `--allow-plugins`: import the plug-in code a model folder names (hash-checked; printed). */
export const ALLOW_PLUGINS_FLAG = {
  type: "boolean",
  description: "import the plug-in code the model names (printed; refused if its sha256 changed)",
} as const;
