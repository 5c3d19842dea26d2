"""Test-only helper: writes Pillow goldens for io/pil_resize.ts and io/image.ts into a folder.

Uses Debian's python3-pil (`apt-get install python3-pil`):

    /usr/bin/python3 tests/tools/pil_resize_goldens.py io/testdata/pil_resize \
        --photo ../shared/fixtures/images/faces-raw/05.jpg:256 \
        --photo ../shared/fixtures/images/faces-raw/10.jpg:16                              # the committed goldens
    /usr/bin/python3 tests/tools/pil_resize_goldens.py OUT --random 6 --seed 7           # random sizes (live test)

Writes `cases.json` (Pillow's version, then one entry per case with its byte range in `outputs.bin`) and
`outputs.bin`. Resize cases start from pseudo-random pixels that io/pil_resize_test.ts regenerates from the same
seed (xorshift32, the top byte of each state). Decode cases (the committed goldens only) are small transparent
PNGs written here, and fixture photos (05.jpg is non-square, 10.jpg has an Adobe RGB profile, which PIL ignores),
with what `Image.open(path).convert("RGB")` gives, then resized to a square with BILINEAR as torchvision's
`Resize((R, R))` does.
"""
import argparse
import json
import os
import random
import warnings

from PIL import Image, __version__

FILTERS = {
    "box": Image.Resampling.BOX,
    "bilinear": Image.Resampling.BILINEAR,
    "hamming": Image.Resampling.HAMMING,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}
MODES = {1: "L", 3: "RGB", 4: "CMYK"}
REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# (width, height, channels, out width, out height, filter): up, down, non-square, odd, one pixel wide or high,
# large ratios, one axis unchanged, and the model's real case (a photo to 256²).
FIXED_CASES = [
    (500, 375, 3, 256, 256, "bilinear"),
    (256, 341, 3, 256, 256, "bilinear"),
    (97, 61, 3, 13, 29, "bilinear"),
    (7, 5, 3, 23, 17, "bilinear"),
    (64, 64, 3, 32, 32, "bilinear"),
    (64, 64, 3, 63, 65, "bilinear"),
    (33, 47, 1, 16, 16, "bilinear"),
    (1, 1, 3, 5, 5, "bilinear"),
    (1, 40, 3, 1, 7, "bilinear"),
    (40, 1, 3, 9, 3, "bilinear"),
    (1, 9, 1, 6, 30, "bilinear"),
    (2000, 10, 3, 7, 10, "bilinear"),
    (3, 1200, 1, 3, 5, "bilinear"),
    (2, 2, 3, 100, 100, "bilinear"),
    (17, 300, 3, 60, 20, "bilinear"),
    (300, 17, 3, 20, 60, "bilinear"),
    (31, 29, 4, 11, 13, "bilinear"),
    (9, 9, 3, 9, 9, "bilinear"),
    (97, 61, 3, 13, 29, "bicubic"),
    (7, 5, 3, 23, 17, "bicubic"),
    (300, 17, 1, 20, 60, "bicubic"),
    (256, 341, 3, 128, 128, "bicubic"),
    (97, 61, 3, 13, 29, "lanczos"),
    (7, 5, 3, 23, 17, "lanczos"),
    (1200, 900, 3, 100, 75, "lanczos"),
    (17, 300, 1, 60, 20, "lanczos"),
    (1, 1, 1, 4, 3, "lanczos"),
    (97, 61, 3, 13, 29, "box"),
    (7, 5, 3, 23, 17, "box"),
    (97, 61, 3, 13, 29, "hamming"),
    (7, 5, 3, 23, 17, "hamming"),
]


def noise(seed, length):
    """xorshift32 from `seed`, the top byte of each state: io/pil_resize_test.ts's `noise`."""
    state = seed
    out = bytearray(length)
    for i in range(length):
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        out[i] = state >> 24
    return bytes(out)


class Goldens:
    def __init__(self, folder):
        self.folder = folder
        self.blob = bytearray()
        self.manifest = {"pillow": __version__, "resize": [], "decode": []}

    def add(self, kind, entry, data):
        entry.update(offset=len(self.blob), length=len(data))
        self.blob += data
        self.manifest[kind].append(entry)

    def resize(self, width, height, channels, out_width, out_height, filter_name, seed):
        data = noise(seed, width * height * channels)
        image = Image.frombytes(MODES[channels], (width, height), data)
        resized = image.resize((out_width, out_height), FILTERS[filter_name])
        self.add("resize", {
            "width": width, "height": height, "channels": channels, "outWidth": out_width,
            "outHeight": out_height, "filter": filter_name, "seed": seed,
        }, resized.tobytes())

    def decode(self, path, size):
        """The official preprocessing's pixels: `Image.open(path).convert("RGB")`, then `Resize((size, size))`."""
        rgb = Image.open(path).convert("RGB")
        if size is not None:
            rgb = rgb.resize((size, size), Image.Resampling.BILINEAR)
        self.add("decode", {
            "path": os.path.relpath(os.path.abspath(path), REPOSITORY), "size": size, "width": rgb.width,
            "height": rgb.height,
        }, rgb.tobytes())

    def write(self):
        with open(os.path.join(self.folder, "outputs.bin"), "wb") as f:
            f.write(self.blob)
        with open(os.path.join(self.folder, "cases.json"), "w") as f:
            json.dump(self.manifest, f, indent=2)
            f.write("\n")


def transparent_pngs(folder):
    """Alpha 0 over white, alpha 10 over grey 200, opaque colours: RGBA, grey + alpha, palette + tRNS."""
    names = []
    rgba = Image.new("RGBA", (12, 10))
    for y in range(10):
        for x in range(12):
            rgba.putpixel((x, y), (255, 255, 255, 0) if x < 4 else (200, 200, 200, 10) if x < 8
                          else (30 + 10 * y, 90, 200 - 5 * x, 255))
    names.append(("alpha_rgba.png", rgba))
    la = Image.new("LA", (9, 11))
    for y in range(11):
        for x in range(9):
            la.putpixel((x, y), (255, 0) if y < 4 else (200, 10) if y < 8 else (20 * x, 255))
    names.append(("alpha_la.png", la))
    palette = Image.new("P", (10, 10))
    palette.putpalette([255, 255, 255, 200, 200, 200, 10, 120, 240] + [0] * (253 * 3))
    for y in range(10):
        for x in range(10):
            palette.putpixel((x, y), (x + y) % 3)
    palette.info["transparency"] = bytes([0, 10, 255])
    names.append(("alpha_palette.png", palette))
    for name, image in names:
        image.save(os.path.join(folder, name), transparency=image.info.get("transparency"))
    return [name for name, _ in names]


def main():
    # Pillow warns that a palette with tRNS bytes should become RGBA; the golden is what convert("RGB") gives.
    warnings.filterwarnings("ignore", "Palette images with Transparency")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--random", type=int, default=0, help="write this many random cases instead")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--photo", action="append", default=[], metavar="PATH:SIZE",
                        help="add a photo as a decode case, resized to SIZE² (repeatable)")
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    goldens = Goldens(args.folder)
    if args.random:
        rng = random.Random(args.seed)
        for i in range(args.random):
            size = [rng.choice([1, 2, 3]) if rng.random() < 0.15 else rng.randint(1, 200) for _ in range(4)]
            goldens.resize(*size[:2], rng.choice([1, 3, 4]), *size[2:], rng.choice(sorted(FILTERS)),
                           rng.randint(1, 2**31))
    else:
        for i, case in enumerate(FIXED_CASES):
            goldens.resize(*case, 1000 + i)
        for name in transparent_pngs(args.folder):
            for size in (None, 5, 16):
                goldens.decode(os.path.join(args.folder, name), size)
        for photo in args.photo:
            path, size = photo.rsplit(":", 1)
            goldens.decode(path, int(size))
    goldens.write()


if __name__ == "__main__":
    main()
