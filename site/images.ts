/**
 * Images at the site's edge: an upload read with its limits (bytes, then the side of the decoded image) into
 * the model's input tensor, and model outputs encoded as PNG bytes.
 *
 * @module
 */

import { loadSharp } from "../deps.ts";
import { decodeImage, imageSize, rgbBytesToTensor, toRgbBytes } from "../io/image.ts";
import { pilResize } from "../io/pil_resize.ts";

import { UploadRejected } from "./http.ts";

export { UploadRejected };

/**
 * Reads a request body up to a limit without buffering more than the limit.
 *
 * @param request the request
 * @param maxBytes largest body
 * @returns the body bytes
 * @throws {UploadRejected} 413 when `Content-Length` or the body passes the limit
 * @example
 * ```ts
 * import { readBodyWithLimit } from "./images.ts";
 * const request = new Request("http://127.0.0.1/", { method: "POST", body: "12345" });
 * console.log((await readBodyWithLimit(request, 10)).length); // 5
 * ```
 */
export async function readBodyWithLimit(request: Request, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = (size: string) =>
    new UploadRejected(413, "too_large", `The upload is ${size}; the limit is ${maxBytes} bytes`);
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(`${declared} bytes`);
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(`more than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * Checks an uploaded image's size, decodes it once and resizes it to each requested model resolution, exactly as
 * `readImage` and the official preprocessing do (PIL's `convert("RGB")`: alpha dropped with the colour under it
 * kept, grey to RGB; then PIL's bilinear `Resize`, bit for bit).
 *
 * @param bytes the file
 * @param sizes model resolutions wanted
 * @param maxSide largest width or height accepted
 * @returns the original size and one [1, 3, R, R] tensor in [−1, 1] per resolution
 * @throws {UploadRejected} 422 when it is not a readable image or larger than `maxSide` on a side
 * @example
 * ```ts
 * import { decodeUpload } from "./images.ts";
 * const bytes = await Deno.readFile("data/models/default/samples/test-0000-boot.png");
 * const { width, tensors } = await decodeUpload(bytes, [16], 4096);
 * console.log(width, tensors.get(16)!.length); // 32 768
 * ```
 */
export async function decodeUpload(
  bytes: Uint8Array,
  sizes: readonly number[],
  maxSide: number,
): Promise<{ width: number; height: number; tensors: Map<number, Float32Array> }> {
  const rejected = (error: unknown) => new UploadRejected(422, "not_an_image", (error as Error).message);
  // The header alone: no pixels are decoded before the size is checked.
  const { width, height } = await imageSize(bytes, { source: "The upload" }).catch((error) => {
    throw rejected(error);
  });
  if (width > maxSide || height > maxSide) {
    throw new UploadRejected(
      422,
      "image_too_large",
      `The image is ${width}×${height} pixels; the limit is ${maxSide} pixels on each side`,
    );
  }
  const image = await decodeImage(bytes, { source: "The upload", maxPixels: width * height })
    .catch((error) => {
      throw rejected(error);
    });
  const pixels = { data: image.rgb, width: image.width, height: image.height, channels: 3 };
  const tensors = new Map<number, Float32Array>();
  for (const size of new Set(sizes)) {
    tensors.set(size, rgbBytesToTensor(pilResize(pixels, [size, size]).data, size, size));
  }
  return { width, height, tensors };
}

/**
 * Encodes one image of an NCHW batch in [−1, 1] as PNG bytes.
 *
 * @param data NCHW values
 * @param shape [B, 3, H, W]
 * @param index which image (default 0)
 * @returns the PNG file's bytes
 * @example
 * ```ts
 * import { encodePng } from "./images.ts";
 * const png = await encodePng(new Float32Array(3 * 4 * 4), [1, 3, 4, 4]);
 * console.log([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")); // "PNG"
 * ```
 */
export async function encodePng(
  data: Float32Array,
  shape: readonly number[],
  index = 0,
): Promise<Uint8Array> {
  const sharp = await loadSharp();
  const [, , height, width] = shape;
  const png = await sharp(toRgbBytes(data, shape, index), { raw: { width, height, channels: 3 } }).png()
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/**
 * Encodes RGB bytes (row-major, 3 per pixel) as PNG bytes.
 *
 * @param image `data`, `width`, `height`
 * @returns the PNG file's bytes
 * @example
 * ```ts
 * import { encodeRgbPng } from "./images.ts";
 * const png = await encodeRgbPng({ data: new Uint8Array(2 * 2 * 3), width: 2, height: 2 });
 * console.log([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")); // "PNG"
 * ```
 */
export async function encodeRgbPng(
  image: { data: Uint8Array; width: number; height: number },
): Promise<Uint8Array> {
  const sharp = await loadSharp();
  const { data, width, height } = image;
  const png = await sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
