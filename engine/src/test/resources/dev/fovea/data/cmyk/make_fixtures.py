"""Writes the CMYK JPEG fixtures of ImageFilesTest and, beside each, PIL's own RGB conversion of it.

Run with Pillow installed: python3 make_fixtures.py (the files were made with Pillow 12.3.0).
"""
from PIL import Image

W, H = 48, 40
im = Image.new("CMYK", (W, H))
px = im.load()
for y in range(H):
    for x in range(W):
        px[x, y] = (x * 255 // (W - 1), y * 255 // (H - 1), (x * y) % 256, (x + 2 * y) * 3 % 256)
im.save("cmyk-adobe.jpg", quality=95)  # Pillow writes an Adobe APP14 marker, transform 0, values inverted

data = bytearray(open("cmyk-adobe.jpg", "rb").read())
at = data.find(b"Adobe")
assert data[at - 4:at - 2] == b"\xff\xee"
ycck = bytearray(data)
ycck[at + 11] = 2  # the same samples declared YCCK
open("cmyk-ycck.jpg", "wb").write(bytes(ycck))
plain = data[:at - 4] + data[at + 12:]  # no Adobe marker (PIL still reads the values as inverted)
open("cmyk-plain.jpg", "wb").write(bytes(plain))

for name in ("cmyk-adobe", "cmyk-ycck", "cmyk-plain"):
    src = Image.open(name + ".jpg")
    assert src.mode == "CMYK", (name, src.mode)
    src.convert("RGB").save(name + ".rgb.png")
