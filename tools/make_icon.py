"""Draw the app icon (resources/icons/folioscope.png and .ico): an open page with tinted
chunk bands and a highlighted line, the workbench in one picture."""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "resources" / "icons"


def draw(size: int = 256) -> Image.Image:
    s = size / 256
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([16 * s, 16 * s, 240 * s, 240 * s], radius=36 * s, fill=(33, 71, 140, 255))
    d.rounded_rectangle([58 * s, 38 * s, 198 * s, 218 * s], radius=10 * s, fill=(255, 255, 255, 255))
    bands = [(60, 104, (30, 136, 229, 70)), (112, 160, (67, 160, 71, 70)), (168, 206, (30, 136, 229, 70))]
    for top, bottom, colour in bands:
        d.rectangle([66 * s, top * s, 190 * s, bottom * s], fill=colour)
    for y in range(66, 206, 14):
        d.line([74 * s, y * s, 182 * s, y * s], fill=(90, 90, 90, 255), width=max(1, int(4 * s)))
    d.rectangle([70 * s, 122 * s, 186 * s, 136 * s], fill=(255, 214, 0, 200))
    d.line([62 * s, 108 * s, 194 * s, 108 * s], fill=(216, 27, 96, 255), width=max(1, int(5 * s)))
    return img


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    icon = draw(256)
    icon.save(OUT / "folioscope.png")
    icon.save(OUT / "folioscope.ico", sizes=[(16, 16), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    print(f"icons written to {OUT}")
