package dev.bootsecrets.config;

import dev.bootsecrets.log.Log;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.Construct;
import org.yaml.snakeyaml.constructor.ConstructorException;
import org.yaml.snakeyaml.constructor.DuplicateKeyException;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserException;
import org.yaml.snakeyaml.scanner.ScannerException;

/**
 * The one way this program reads YAML: SnakeYAML's safe constructor, to plain maps, lists
 * and scalars (YAML 1.1 typing, as cloud-init reads it: unquoted 0644 is the number 420),
 * with every size bounded. Errors name the place in the document, never its text.
 *
 * <p>A key twice in one mapping is read as cloud-init's PyYAML reads it (the last one wins)
 * only where this program never looks: there a warning names the key and its line. Anywhere
 * this program reads, it is an error, because YAML parsers disagree on which one wins (PyYAML
 * the last, others the first, others refuse), so a reviewer's tool and the agent could read
 * two different documents.
 */
public final class Yaml {
    static final int MAX_ALIASES = 50;
    static final int MAX_DEPTH = 64;

    private Yaml() {}

    /** Keys shown in messages: names, paths and such; anything else is "a key". */
    private static final Pattern SHOWN_KEY = Pattern.compile("[A-Za-z0-9_.+/@-]{1,64}");

    /**
     * The document as Map, List, String, Integer, Long, Boolean, byte[] (!!binary), Date or
     * null (an empty document). Every key of it is read: a duplicate anywhere is an error.
     *
     * @param what names the document in errors: {@code user-data}, a file's path
     */
    public static Object load(String text, String what) throws ConfigException {
        return load(text, what, key -> true);
    }

    /**
     * As {@link #load(String, String)}, for a document of which this program reads only some
     * top-level keys (and everything inside them): a duplicate key elsewhere is kept as PyYAML
     * keeps it, the last one winning, with a warning.
     *
     * @param reads whether this program reads a top-level key (a string)
     */
    public static Object load(String text, String what, Predicate<String> reads) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        // Reader decides on each duplicate and drops the ones it lets pass; any other is refused.
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setAllowRecursiveKeys(false);
        // The caller has bounded the input; this only stops SnakeYAML's own 3 MB default from applying.
        options.setCodePointLimit(text.length() + 1);
        Reader reader = new Reader(options, reads);
        try {
            Node root = new org.yaml.snakeyaml.Yaml(reader).compose(new StringReader(text));
            Object doc = root == null ? null : reader.document(root);
            reader.warnings.forEach(w -> Log.warn(what + ": " + w));
            return doc;
        } catch (Refused e) {
            throw new ConfigException(what + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ConfigException(what + ": " + describe(e));
        }
    }

    /** A refusal our Reader words itself (a duplicate where this program reads, bad base64): never the document's text. */
    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** SnakeYAML's safe constructor, deciding on each duplicate key by where it is. */
    private static final class Reader extends SafeConstructor {
        private final Predicate<String> reads;
        private final Set<String> warnings = new LinkedHashSet<>();
        private Node root;
        private Set<Node> read = Set.of();

        Reader(LoaderOptions options, Predicate<String> reads) {
            super(options);
            this.reads = reads;
            Construct binary = yamlConstructors.get(Tag.BINARY);
            yamlConstructors.put(Tag.BINARY, new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    try {
                        return binary.construct(node);
                    } catch (IllegalArgumentException e) { // SnakeYAML's base64 decoder: bad length or character
                        throw new Refused(at(node.getStartMark()) + "a !!binary value that is not base64");
                    }
                }
            });
        }

        Object document(Node root) {
            this.root = root;
            this.read = readNodes(root, reads);
            return constructDocument(root);
        }

        /**
         * Each duplicate decided, then all but the last of each key dropped here, so SnakeYAML's
         * own pass (which would refuse any left, or log through java.util.logging) finds none.
         */
        @Override
        protected void processDuplicateKeys(MappingNode node, boolean forceStringKeys) {
            if (!forceStringKeys) {
                List<NodeTuple> tuples = node.getValue();
                Map<Object, Integer> last = new HashMap<>();
                Set<Integer> dropped = new HashSet<>();
                for (int i = 0; i < tuples.size(); i++) {
                    Node keyNode = tuples.get(i).getKeyNode();
                    if (keyNode.getTag().equals(Tag.MERGE)) {
                        continue;
                    }
                    Integer earlier = last.put(constructObject(keyNode), i); // kept: SnakeYAML's pass reuses it
                    if (earlier != null) {
                        duplicate(node, constructObject(keyNode), keyNode.getStartMark());
                        dropped.add(earlier);
                    }
                }
                if (!dropped.isEmpty()) {
                    List<NodeTuple> kept = new ArrayList<>();
                    for (int i = 0; i < tuples.size(); i++) {
                        if (!dropped.contains(i)) {
                            kept.add(tuples.get(i));
                        }
                    }
                    node.setValue(kept);
                }
            }
            super.processDuplicateKeys(node, forceStringKeys);
        }

        private void duplicate(MappingNode node, Object key, Mark mark) {
            boolean readHere = node == root ? reads.test(topLevelName(key)) : read.contains(node);
            String shown = key instanceof String s && SHOWN_KEY.matcher(s).matches() ? "key " + s : "a key";
            if (readHere) {
                throw new Refused(at(mark) + "duplicate " + shown + ": bootsecrets reads it, and YAML parsers disagree"
                        + " on which one wins, so a reviewer and the agent could read different documents; keep one");
            }
            warnings.add("line " + (mark.getLine() + 1) + ": duplicate " + shown
                    + ": the last one wins, as in cloud-init (bootsecrets does not read it)");
        }
    }

    private static String topLevelName(Object key) {
        return key instanceof String s ? s : "";
    }

    /**
     * Every node inside a top-level key this program reads, reached however (an alias to an
     * anchor elsewhere too). A document that is not a mapping is read whole; so is whatever a
     * merge key ({@code <<}) at the top level brings in.
     */
    private static Set<Node> readNodes(Node root, Predicate<String> reads) {
        Set<Node> out = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Node> todo = new ArrayDeque<>();
        if (root instanceof MappingNode map) {
            for (NodeTuple tuple : map.getValue()) {
                Node key = tuple.getKeyNode();
                boolean merge = key.getTag().equals(Tag.MERGE);
                if (merge || key instanceof ScalarNode s && s.getTag().equals(Tag.STR) && reads.test(s.getValue())) {
                    todo.add(key);
                    todo.add(tuple.getValueNode());
                }
            }
        } else {
            todo.add(root);
        }
        while (!todo.isEmpty()) {
            Node node = todo.pop();
            if (!out.add(node)) {
                continue;
            }
            switch (node) {
                case MappingNode m -> m.getValue().forEach(t -> {
                    todo.push(t.getKeyNode());
                    todo.push(t.getValueNode());
                });
                case SequenceNode s -> s.getValue().forEach(todo::push);
                default -> {}
            }
        }
        return out;
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
