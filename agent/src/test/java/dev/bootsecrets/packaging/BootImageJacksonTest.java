package dev.bootsecrets.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The boot image reads and writes JSON trees with json/JsonTree: one use of databind's mapper
 * anywhere the boot image's code reaches compiles its whole (de)serializer machinery back in
 * (1.4 MB, docs/packaging.md "The boot image"). Only the development image's emulator may use it.
 */
class BootImageJacksonTest {
    static final Path SOURCES = PackageCyclesTest.SOURCES;
    static final String DEVELOPMENT_ONLY = "dev/bootsecrets/emulator/";
    static final Pattern MAPPER = Pattern.compile("\\b(ObjectMapper|ObjectReader|ObjectWriter|JsonMapper)\\b");

    @Test
    void noDatabindMapperOutsideTheEmulator() throws IOException {
        List<String> users;
        int files;
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            List<Path> sources = walk.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !SOURCES.relativize(f).toString().startsWith(DEVELOPMENT_ONLY)).toList();
            files = sources.size();
            users = sources.stream().filter(BootImageJacksonTest::namesMapper).map(f -> SOURCES.relativize(f).toString()).toList();
        }
        assertTrue(files > 100, "found only " + files + " sources under " + SOURCES);
        assertEquals(List.of(), users, "databind's mapper used outside " + DEVELOPMENT_ONLY + ": use json/JsonTree");
    }

    @Test
    void findsTheMapperInCodeNotInComments() {
        assertTrue(MAPPER.matcher("JsonNode n = new ObjectMapper().readTree(b);").find());
        assertTrue(MAPPER.matcher("import com.fasterxml.jackson.databind.ObjectWriter;").find());
        assertFalse(MAPPER.matcher("JsonNode n = JsonTree.read(b);").find());
    }

    /** Whether the file's code (comments left out) names one of databind's mappers. */
    private static boolean namesMapper(Path file) {
        try {
            String code = Files.readString(file).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
            return MAPPER.matcher(code).find();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
