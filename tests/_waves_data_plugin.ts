/**
 * A data-source plug-in of deterministic images (no files), as a user would write it: its source text, for tests
 * that write it beside a suite and name it `./waves.js#waves`.
 *
 * @module
 */

/** The plug-in's source (JavaScript). */
export const WAVES_DATA_PLUGIN = `
function split(count, seed, resolution, channels) {
  const size = channels * resolution * resolution;
  return {
    count,
    batch(indices) {
      const out = new Float32Array(indices.length * size);
      indices.forEach((index, b) => {
        for (let i = 0; i < size; i++) out[b * size + i] = Math.sin((index + seed) * 0.37 + i * 0.011) * 0.8;
      });
      return out;
    },
  };
}
export const waves = {
  name: "waves",
  open({ resolution, channels }) {
    return Promise.resolve({
      train: split(4, 0, resolution, channels),
      validation: split(2, 100, resolution, channels),
      test: split(2, 200, resolution, channels),
    });
  },
};
`;
