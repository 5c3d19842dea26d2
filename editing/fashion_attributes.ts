/**
 * Attributes of Fashion-MNIST garments that an edit can move, each a group of classes, and the score a classifier
 * gives an image for one: the log-odds `log P(group) − log P(not group)` from its 10 logits. Log-odds are to
 * Fashion-MNIST what DEX's age in years is to faces: an unbounded scalar whose change measures an edit.
 *
 * @module
 */

/** An attribute defined as a group of classes. */
export interface ClassGroupAttribute {
  /** File-safe name (`footwear`). */
  name: string;
  /** What it means. */
  description: string;
  /** The classes that have it. */
  classes: readonly number[];
}

/** Fashion-MNIST class names, by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

/**
 * The attributes learned for the default model. A fourth, `long_sleeves` (pullover, coat or shirt), was tried and
 * dropped: blurred or broken images look like those blob-shaped classes to the measuring classifier, so a strong
 * edit *away* from long sleeves raised the measured score on the full model (+0.137 at γ = −3 on 500 held-out
 * images, while −0.002 at γ = −1): a confounded measure, not an edit. {@linkcode LONG_SLEEVES} keeps its definition.
 */
export const FASHION_MNIST_ATTRIBUTES: readonly ClassGroupAttribute[] = [
  {
    name: "footwear",
    description: "a shoe (sandal, sneaker or ankle boot) rather than clothing or a bag",
    classes: [5, 7, 9],
  },
  { name: "trousers", description: "trousers rather than anything else", classes: [1] },
  { name: "bag", description: "a bag rather than anything else", classes: [8] },
];

/** Long sleeves (pullover, coat, shirt): defined, but not learned for the default model (see above). */
export const LONG_SLEEVES: ClassGroupAttribute = {
  name: "long_sleeves",
  description: "a garment with long sleeves (pullover, coat or shirt)",
  classes: [2, 4, 6],
};

/**
 * Finds an attribute by name.
 *
 * @param name e.g. `footwear`
 * @returns the attribute
 * @throws {RangeError} naming the known attributes when there is none of that name
 * @example
 * ```ts
 * import { fashionAttribute } from "./fashion_attributes.ts";
 * console.log(fashionAttribute("bag").classes); // [8]
 * ```
 */
export function fashionAttribute(name: string): ClassGroupAttribute {
  const found = [...FASHION_MNIST_ATTRIBUTES, LONG_SLEEVES].find((a) => a.name === name);
  if (!found) {
    throw new RangeError(
      `Unknown attribute "${name}" (known: ${FASHION_MNIST_ATTRIBUTES.map((a) => a.name).join(", ")})`,
    );
  }
  return found;
}

function logSumExp(values: readonly number[]): number {
  const peak = Math.max(...values);
  return peak + Math.log(values.reduce((sum, v) => sum + Math.exp(v - peak), 0));
}

/**
 * The log-odds of an attribute for each image: `log Σ_{c∈group} e^{l_c} − log Σ_{c∉group} e^{l_c}`.
 *
 * @param logits [N, classes] row-major
 * @param classes number of classes
 * @param attribute the group
 * @returns [N] scores (positive: the classifier believes the image has the attribute)
 * @example
 * ```ts
 * import { attributeScores } from "./fashion_attributes.ts";
 * const scores = attributeScores(new Float32Array([0, 0, 0, Math.log(3)]), 2, { name: "b", description: "", classes: [1] });
 * console.log(scores[0], scores[1].toFixed(4)); // 0 1.0986
 * ```
 */
export function attributeScores(
  logits: Float32Array,
  classes: number,
  attribute: ClassGroupAttribute,
): Float64Array {
  if (logits.length % classes !== 0) {
    throw new TypeError(`Logits have ${logits.length} values, not a multiple of ${classes} classes`);
  }
  const bad = attribute.classes.find((c) => !Number.isInteger(c) || c < 0 || c >= classes);
  if (bad !== undefined || attribute.classes.length === 0 || attribute.classes.length === classes) {
    throw new RangeError(`Attribute "${attribute.name}" must name some but not all of ${classes} classes`);
  }
  const inGroup = new Set(attribute.classes);
  const count = logits.length / classes;
  const scores = new Float64Array(count);
  for (let n = 0; n < count; n++) {
    const row = Array.from(logits.subarray(n * classes, (n + 1) * classes));
    scores[n] = logSumExp(row.filter((_, c) => inGroup.has(c))) -
      logSumExp(row.filter((_, c) => !inGroup.has(c)));
  }
  return scores;
}
