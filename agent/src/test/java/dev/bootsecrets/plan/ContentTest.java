package dev.bootsecrets.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bootsecrets.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContentTest {
    static final String B = Content.Block.BEGIN;
    static final String E = Content.Block.END;

    static String render(Content content, String existing) {
        Optional<byte[]> bytes = Optional.ofNullable(existing).map(s -> s.getBytes(StandardCharsets.UTF_8));
        return new String(content.render(bytes), StandardCharsets.UTF_8);
    }

    @Test
    void blockIsAddedAfterTheUsersOwnLines() {
        assertEquals("mine\n" + B + "\nk1\nk2\n" + E + "\n", render(new Content.Block("k1\nk2\n"), "mine"));
        assertEquals(B + "\nk1\n" + E + "\n", render(new Content.Block("k1\n"), null));
    }

    @Test
    void blockIsReplacedInPlaceAndLinesAroundItKept() {
        String before = "top\n" + B + "\nold\n" + E + "\nbottom\n";
        assertEquals("top\n" + B + "\nnew\n" + E + "\nbottom\n", render(new Content.Block("new\n"), before));
    }

    @Test
    void emptyBlockRemovesTheOldOneAndKeepsTheRest() {
        String before = "top\n" + B + "\nrevoked\n" + E + "\nbottom\n";
        assertEquals("top\nbottom\n", render(new Content.Block(""), before));
    }

    @Test
    void renderingTwiceChangesNothing() {
        Content.Block block = new Content.Block("k1\n");
        String once = render(block, "mine\n");
        assertEquals(once, render(block, once));
    }

    @Test
    void beginWithoutEndIsRefusedRatherThanGuessed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> render(new Content.Block("k\n"), "mine\n" + B + "\nold\nusers line\n"));
        assertEquals("has a bootsecrets BEGIN marker without END; fix the file by hand", e.getMessage());
    }

    @Test
    void appendAddsOnceAndOnlyOnce() {
        Content.Append append = new Content.Append(Secret.ofUtf8("10.0.0.5 db\n"));
        String once = render(append, "127.0.0.1 localhost\n");
        assertEquals("127.0.0.1 localhost\n10.0.0.5 db\n", once);
        assertEquals(once, render(append, once));
        assertEquals("10.0.0.5 db\n", render(append, null));
    }

    @Test
    void wholeIgnoresTheCurrentContent() {
        byte[] value = {0, 1, 2, (byte) 0xff};
        assertArrayEquals(value, new Content.Whole(Secret.of(value)).render(Optional.of(new byte[] {9})));
    }
}
