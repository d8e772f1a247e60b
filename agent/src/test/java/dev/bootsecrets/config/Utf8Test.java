package dev.bootsecrets.config;

import static dev.bootsecrets.config.UserDataTest.gzip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bytes that are not UTF-8 in a document that is read: refused at their place, never replaced. */
class Utf8Test {
    /** The bytes of the issue: ff fe c3 28 (no UTF-8 sequence starts with ff; c3 28 is cut short). */
    private static final byte[] BAD = {(byte) 0xff, (byte) 0xfe, (byte) 0xc3, 0x28};

    private static byte[] with(String before, byte[] bad, String after) {
        var out = new ByteArrayOutputStream();
        out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(bad);
        out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static List<String> refused(byte[] userData) {
        return assertThrows(ConfigException.class, () -> UserData.apply(ConfigLoader.defaults(), userData)).errors();
    }

    @Test
    void rawBytesInWriteFilesContentAreAnErrorAtTheirLineAndColumn() {
        byte[] userData = with("#cloud-config\nwrite_files:\n  - path: /etc/x\n    content: \"é", BAD, "\"\n");

        assertEquals(List.of("user-data: line 4, column 16: not valid UTF-8; " + Utf8.BINARY_HINT), refused(userData));
    }

    @Test
    void insideAGzippedMimePartTheErrorNamesThePart() throws Exception {
        byte[] part = gzip(with("#cloud-config\nx: ", BAD, "\n"));
        var mime = new ByteArrayOutputStream();
        mime.writeBytes("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: application/gzip\n\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        mime.writeBytes(part);
        mime.writeBytes("\n--b--\n".getBytes(StandardCharsets.ISO_8859_1));

        assertEquals(List.of("user-data: part[0]: line 2, column 4: not valid UTF-8; " + Utf8.BINARY_HINT),
                refused(mime.toByteArray()));
    }

    @Test
    void binaryThroughB64IsWelcome() throws ConfigException {
        byte[] userData = "#cloud-config\nwrite_files:\n  - {path: /etc/x, content: //7DKA==, encoding: b64}\n"
                .getBytes(StandardCharsets.UTF_8);

        assertEquals(1, UserData.apply(ConfigLoader.defaults(), userData).declarations().files().size());
    }

    @Test
    void aScriptThatIsNotUtf8IsLeftToCloudInit() throws ConfigException {
        UserData.apply(ConfigLoader.defaults(), with("#!/bin/sh\necho ", BAD, "\n"));
    }
}
