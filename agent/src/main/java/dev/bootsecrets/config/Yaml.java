package dev.bootsecrets.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.ConstructorException;
import org.yaml.snakeyaml.constructor.DuplicateKeyException;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

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
     * SnakeYAML's messages may quote the document (a snippet, a duplicate key, a value that
     * is not a valid timestamp or number), so only its structural problems are passed on.
     */
    private static String describe(RuntimeException e) {
        if (e instanceof DuplicateKeyException d) {
            return at(d.getProblemMark()) + "duplicate key";
        }
        if (e instanceof ConstructorException c) {
            return at(c.getProblemMark()) + "a value of an unsupported type or tag";
        }
        if (e instanceof MarkedYAMLException m) {
            return at(m.getProblemMark()) + m.getProblem();
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

    private static String at(Mark mark) {
        return mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
    }
}
