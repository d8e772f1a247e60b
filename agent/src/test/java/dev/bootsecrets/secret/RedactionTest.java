package dev.bootsecrets.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedactionTest {
    @AfterEach
    void forget() {
        Redaction.forget();
    }

    @Test
    void aValueOfFourBytesOrMoreIsMaskedWhereverItIs() {
        Secret.ofUtf8("Pw4x");
        assertEquals("token <redacted> and x<redacted>y", Redaction.scrub("token Pw4x and xPw4xy"));
    }

    @Test
    void aShorterValueIsMaskedWhereItIsAWordOfItsOwn() {
        Secret.ofUtf8("42");
        Secret.ofUtf8("z");
        assertEquals("HTTP 1420: <redacted> and <redacted>/<redacted>, zoo", Redaction.scrub("HTTP 1420: 42 and z/42, zoo"));
    }

    @Test
    void aValueThatHoldsAnotherIsMaskedWhole() {
        Secret.ofUtf8("abcd");
        Secret.ofUtf8("abcdefgh");
        assertEquals("<redacted> <redacted>", Redaction.scrub("abcdefgh abcd"));
    }

    @Test
    void eachLineOfAValueIsKnownOnItsOwn() {
        Secret.ofUtf8("first-line\n  Pw4x  \n");
        assertEquals("<redacted>, <redacted>", Redaction.scrub("first-line, Pw4x"));
    }

    @Test
    void aShortLineOfALongerValueMasksNoWords() {
        Secret.ofUtf8("-----BEGIN KEY-----\n9\nab\n");
        assertEquals("9 outputs: <redacted> ab", Redaction.scrub("9 outputs: -----BEGIN KEY----- ab"));
    }

    @Test
    void aBinaryValueMasksNothingItsBytesHappenToSpell() {
        Secret.of(new byte[] {(byte) 0xff, '\n', '9', '\n', 'o', 'u', 't', 'p', 'u', 't', 's', '\n', (byte) 0xc3});
        assertEquals("9 outputs: 0 created", Redaction.scrub("9 outputs: 0 created"));
    }

    @Test
    void aShortValueStaysReadableInsideTheAgentsOwnNames() {
        Secret.ofUtf8("gcp");
        Redaction.name("/tmp/demo-gcp");
        Redaction.name("gcp metadata, user-data:ssh_authorized_keys");
        assertEquals("/tmp/demo-gcp/etc/motd from gcp metadata, user-data:ssh_authorized_keys",
                Redaction.scrub("/tmp/demo-gcp/etc/motd from gcp metadata, user-data:ssh_authorized_keys"));
        // Anywhere else, as a server's echo in an error, it is still masked.
        assertEquals("HTTP 400: bad token <redacted> for /tmp/demo-gcp",
                Redaction.scrub("HTTP 400: bad token gcp for /tmp/demo-gcp"));
    }

    @Test
    void aLongValueIsMaskedEvenInsideANameThatSpellsIt() {
        Secret.ofUtf8("Pw4x");
        Redaction.name("/etc/app/Pw4x");
        assertEquals("/etc/app/<redacted>", Redaction.scrub("/etc/app/Pw4x"));
    }

    @Test
    void valuesOfOneToThreeCharactersAreTooShortToMaskSafely() {
        assertTrue(Redaction.tooShort(Secret.ofUtf8("g")));
        assertTrue(Redaction.tooShort(Secret.ofUtf8("gcp\n")));
        assertFalse(Redaction.tooShort(Secret.ofUtf8("Pw4x")));
        assertFalse(Redaction.tooShort(Secret.empty()));
        assertFalse(Redaction.tooShort(Secret.ofUtf8("-----BEGIN KEY-----\nab\n")));
    }
}
