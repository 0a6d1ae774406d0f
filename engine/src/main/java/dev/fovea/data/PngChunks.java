package dev.fovea.data;

import dev.fovea.io.FormatException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The chunk structure of a PNG file, checked before it is decoded: every chunk lies whole inside
 * the file with an intact CRC-32, up to and including IEND. javax.imageio's PNG reader decodes a file
 * cut off near the end of its image data without a word; PIL refuses it ("image file is truncated",
 * "broken PNG file"), and so does Fovea. Bytes after IEND are ignored, as both do.
 */
final class PngChunks {
    private static final int SIGNATURE = 8;

    private PngChunks() {
    }

    static void check(String file, byte[] png) {
        int p = SIGNATURE;
        for (int index = 0; ; index++) {
            if (png.length - p < 12) {
                throw new FormatException(file, "png chunk " + index, "the file is truncated: it ends at byte "
                        + png.length + " before the IEND chunk");
            }
            long length = (png[p] & 0xffL) << 24 | (png[p + 1] & 0xff) << 16 | (png[p + 2] & 0xff) << 8 | (png[p + 3] & 0xff);
            String type = new String(png, p + 4, 4, StandardCharsets.ISO_8859_1);
            String field = "png chunk " + index + " (" + printable(type) + ")";
            if (length > png.length - p - 12L) {
                throw new FormatException(file, field, "the file is truncated: the chunk at byte " + p + " declares "
                        + length + " bytes of data, the file holds " + (png.length - p - 12L) + " after its header");
            }
            CRC32 crc = new CRC32();
            crc.update(png, p + 4, (int) length + 4);
            int end = p + 8 + (int) length;
            long stored = (png[end] & 0xffL) << 24 | (png[end + 1] & 0xff) << 16 | (png[end + 2] & 0xff) << 8 | (png[end + 3] & 0xff);
            if (stored != crc.getValue()) {
                throw new FormatException(file, field + ".crc", String.format("expected 0x%08x, found 0x%08x (corrupt data)",
                        crc.getValue(), stored));
            }
            if (type.equals("IEND")) {
                return;
            }
            p = end + 4;
        }
    }

    private static String printable(String type) {
        return type.chars().allMatch(c -> c >= 'A' && c <= 'z') ? type : "?";
    }
}
