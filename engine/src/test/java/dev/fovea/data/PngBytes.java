package dev.fovea.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * PNG files of any colour type and bit depth, written byte by byte (javax.imageio cannot write
 * most of them): IHDR, PLTE for palette images, one IDAT of unfiltered rows, IEND.
 */
final class PngBytes {
    static final int GREY = 0;
    static final int RGB = 2;
    static final int PALETTE = 3;
    static final int GREY_ALPHA = 4;
    static final int RGBA = 6;

    private PngBytes() {
    }

    /** A {@code width x height} image of random samples (or zeros, which compress to almost nothing). */
    static byte[] image(int width, int height, int colourType, int bitDepth, boolean random) {
        int channels = switch (colourType) {
            case GREY, PALETTE -> 1;
            case RGB -> 3;
            case GREY_ALPHA -> 2;
            case RGBA -> 4;
            default -> throw new IllegalArgumentException("colour type " + colourType);
        };
        try {
            ByteArrayOutputStream idat = new ByteArrayOutputStream();
            try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(1))) {
                byte[] row = new byte[1 + (int) (((long) width * channels * bitDepth + 7) / 8)];
                SplittableRandom r = new SplittableRandom(1);
                for (int y = 0; y < height; y++) {
                    if (random) {
                        r.nextBytes(row);
                        row[0] = 0; // filter type "none"
                    }
                    z.write(row);
                }
            }
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
            DataOutputStream h = new DataOutputStream(ihdr);
            h.writeInt(width);
            h.writeInt(height);
            h.write(new byte[] {(byte) bitDepth, (byte) colourType, 0, 0, 0});
            chunk(png, "IHDR", ihdr.toByteArray());
            if (colourType == PALETTE) {
                byte[] palette = new byte[3 << bitDepth];
                for (int i = 0; i < palette.length; i++) {
                    palette[i] = (byte) (i * 7);
                }
                chunk(png, "PLTE", palette);
            }
            chunk(png, "IDAT", idat.toByteArray());
            chunk(png, "IEND", new byte[0]);
            return png.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        d.writeInt(data.length);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }
}
