package dev.bootsecrets.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DerTest {
    @Test
    void shortLengthsTakeOneByte() {
        assertArrayEquals(new byte[] {0x02, 0x01, 0x00}, Der.of(Der.INTEGER, new byte[] {0}));
        assertArrayEquals(new byte[] {(byte) 0xA0, 0x00}, Der.of(Der.CONTEXT_0));
        assertEquals(2 + 127, Der.of(Der.SEQUENCE, new byte[127]).length);
    }

    @Test
    void longLengthsSayHowManyBytesFollow() {
        byte[] of128 = Der.of(Der.SEQUENCE, new byte[128]);
        assertArrayEquals(new byte[] {0x30, (byte) 0x81, (byte) 0x80}, java.util.Arrays.copyOf(of128, 3));
        byte[] of300 = Der.of(Der.SEQUENCE, new byte[200], new byte[100]);
        assertArrayEquals(new byte[] {0x30, (byte) 0x82, 0x01, 0x2C}, java.util.Arrays.copyOf(of300, 4));
        assertEquals(4 + 300, of300.length);
        byte[] of70000 = Der.of(Der.SEQUENCE, new byte[70000]);
        assertArrayEquals(new byte[] {0x30, (byte) 0x83, 0x01, 0x11, 0x70}, java.util.Arrays.copyOf(of70000, 5));
    }

    @Test
    void bitStringsSayNoBitIsUnused() {
        assertArrayEquals(new byte[] {0x03, 0x03, 0x00, 0x0A, 0x0B}, Der.bitString(new byte[] {0x0A, 0x0B}));
    }
}
