package dev.bootsecrets.config;

import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.ConstructorException;
import org.yaml.snakeyaml.constructor.DuplicateKeyException;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.parser.ParserException;
import org.yaml.snakeyaml.scanner.ScannerException;

/**
 * The one way this program reads YAML: SnakeYAML's safe constructor, to plain maps, lists
 * and scalars (YAML 1.1 typing, as cloud-init reads it: unquoted 0644 is the number 420),
 * with every size bounded. Errors name the place in the document, never its text.
 */
public final class Yaml {
    static final int MAX_ALIASES = 50;
    static final int MAX_DEPTH = 64;

    private Yaml() {}

    /**
     * The document as Map, List, String, Integer, Long, Boolean, byte[] (!!binary), Date or
     * null (an empty document).
     *
     * @param what names the document in errors: {@code user-data}, a file's path
     */
    public static Object load(String text, String what) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setAllowRecursiveKeys(false);
        // The caller has bounded the input; this only stops SnakeYAML's own 3 MB default from applying.
        options.setCodePointLimit(text.length() + 1);
        try {
            return new org.yaml.snakeyaml.Yaml(new SafeConstructor(options)).load(text);
        } catch (RuntimeException e) {
            throw new ConfigException(what + ": " + describe(e));
        }
    }

    /**
     * SnakeYAML's messages may quote the document (an alias or tag name, a snippet, a
     * character), so none is passed on: the place, and a fixed category picked from the
     * problem's start.
     */
    private static String describe(RuntimeException e) {
        if (e instanceof DuplicateKeyException d) {
            return at(d.getProblemMark()) + "duplicate key";
        }
        if (e instanceof ConstructorException c) {
            return at(c.getProblemMark()) + "a value of an unsupported type or tag";
        }
        if (e instanceof MarkedYAMLException m) {
            return at(m.getProblemMark()) + category(String.valueOf(m.getProblem()), m);
        }
        String message = e instanceof YAMLException ? String.valueOf(e.getMessage()) : "";
        if (message.startsWith("Number of aliases")) {
            return "more than " + MAX_ALIASES + " aliases to collections";
        }
        if (message.startsWith("Nesting Depth")) {
            return "nested deeper than " + MAX_DEPTH + " levels";
        }
        return "not valid YAML (a value could not be read)";
    }

    /** The problem's first words and the fixed text shown for them. */
    private static final List<Map.Entry<String, String>> PROBLEMS = List.of(
            Map.entry("found undefined alias", "an alias (*name) to an anchor that is not defined"),
            Map.entry("Global tag is not allowed", "a tag that is not allowed"),
            Map.entry("found unknown escape character", "an unknown escape sequence in a double-quoted string"),
            Map.entry("found unexpected end of stream", "the document ends inside a quoted string"),
            Map.entry("found character", "a character that cannot start a token here (a tab in indentation?)"),
            Map.entry("mapping values are not allowed", "a ':' where no mapping can start (quote the value?)"),
            Map.entry("could not find expected ':'", "a key without its ':'"),
            Map.entry("found unacceptable", "a character YAML does not accept"));

    private static String category(String problem, MarkedYAMLException e) {
        for (Map.Entry<String, String> known : PROBLEMS) {
            if (problem.startsWith(known.getKey())) {
                return known.getValue();
            }
        }
        return switch (e) {
            case ScannerException s -> "text that cannot be read as YAML tokens";
            case ParserException p -> "a structure that is not valid YAML (indentation, or a bracket or quote not closed?)";
            default -> "not valid YAML";
        };
    }

    private static String at(Mark mark) {
        return mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
    }
}
