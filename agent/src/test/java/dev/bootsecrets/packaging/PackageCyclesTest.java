package dev.bootsecrets.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The agent's packages depend on each other one way only (DESIGN.md: "no import cycles"). The
 * graph comes from the {@code import} and {@code import static} lines of the main sources.
 */
class PackageCyclesTest {
    static final String BASE = "dev.bootsecrets.";
    static final Path SOURCES = PackagingTest.ROOT.resolve("agent/src/main/java");
    static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
    static final Pattern IMPORT = Pattern.compile("(?m)^import\\s+(?:static\\s+)?(dev\\.bootsecrets\\.[\\w.]+?)(?:\\.\\*)?\\s*;");

    @Test
    void mainPackagesHaveNoCycles() throws IOException {
        Map<String, Set<String>> graph = dependencies(SOURCES);
        assertTrue(graph.size() > 10, "found only " + graph.keySet() + " under " + SOURCES);
        List<String> cycles = cycles(graph);
        assertTrue(cycles.isEmpty(), "package cycles in agent/src/main/java:\n  " + String.join("\n  ", cycles));
    }

    @Test
    void findsEveryTangleAndNamesOneCycleInEach() {
        Map<String, Set<String>> graph = new TreeMap<>(Map.of(
                "a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"),
                "d", Set.of(), "e", Set.of("f"), "f", Set.of("e"), "g", Set.of("a")));
        assertEquals(List.of("a -> b -> c -> a", "e -> f -> e"), cycles(graph));
        assertEquals(List.of(), cycles(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of())));
    }

    /** Package to the packages its files import from, both without the dev.bootsecrets prefix. */
    static Map<String, Set<String>> dependencies(Path sources) throws IOException {
        Map<String, List<String>> imports = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(file);
                Matcher pkg = PACKAGE.matcher(text);
                assertTrue(pkg.find(), "no package line in " + file);
                List<String> names = imports.computeIfAbsent(pkg.group(1), p -> new ArrayList<>());
                Matcher imp = IMPORT.matcher(text);
                while (imp.find()) {
                    names.add(imp.group(1));
                }
            }
        }
        Map<String, Set<String>> graph = new TreeMap<>();
        imports.forEach((pkg, names) -> {
            Set<String> targets = graph.computeIfAbsent(shortName(pkg), p -> new TreeSet<>());
            for (String name : names) {
                String target = packageOf(name, imports.keySet());
                if (!target.equals(pkg)) {
                    targets.add(shortName(target));
                }
            }
        });
        return graph;
    }

    /** The longest known package that prefixes an imported name (a class, a nested class, a static member). */
    static String packageOf(String name, Set<String> packages) {
        for (String prefix = name; prefix.contains("."); prefix = prefix.substring(0, prefix.lastIndexOf('.'))) {
            if (packages.contains(prefix)) {
                return prefix;
            }
        }
        throw new AssertionError("import of " + name + ", which is in no main package");
    }

    static String shortName(String pkg) {
        return pkg.startsWith(BASE) ? pkg.substring(BASE.length()) : pkg;
    }

    /**
     * One line per strongly connected group of packages (Tarjan's algorithm): the shortest cycle
     * through its first package, and the other packages caught in the same group.
     */
    static List<String> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<Set<String>> groups = new ArrayList<>();
        for (String pkg : new TreeSet<>(graph.keySet())) {
            if (!index.containsKey(pkg)) {
                connect(pkg, graph, index, low, stack, groups);
            }
        }
        List<String> lines = new ArrayList<>();
        for (Set<String> group : groups) {
            if (group.size() > 1) {
                List<String> cycle = shortestCycle(group.iterator().next(), graph, group);
                Set<String> others = new TreeSet<>(group);
                cycle.forEach(others::remove);
                lines.add(String.join(" -> ", cycle) + (others.isEmpty() ? "" : " (also tangled: " + String.join(", ", others) + ")"));
            }
        }
        lines.sort(null);
        return lines;
    }

    private static void connect(String pkg, Map<String, Set<String>> graph, Map<String, Integer> index,
            Map<String, Integer> low, Deque<String> stack, List<Set<String>> groups) {
        index.put(pkg, index.size());
        low.put(pkg, index.get(pkg));
        stack.push(pkg);
        for (String next : graph.getOrDefault(pkg, Set.of())) {
            if (!index.containsKey(next)) {
                connect(next, graph, index, low, stack, groups);
                low.put(pkg, Math.min(low.get(pkg), low.get(next)));
            } else if (stack.contains(next)) {
                low.put(pkg, Math.min(low.get(pkg), index.get(next)));
            }
        }
        if (low.get(pkg).equals(index.get(pkg))) {
            Set<String> group = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                group.add(member);
            } while (!member.equals(pkg));
            groups.add(group);
        }
    }

    /** Breadth-first from start back to start, inside one group, so the path is a shortest cycle. */
    private static List<String> shortestCycle(String start, Map<String, Set<String>> graph, Set<String> group) {
        Map<String, String> parent = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String pkg = queue.poll();
            for (String next : new TreeSet<>(graph.getOrDefault(pkg, Set.of()))) {
                if (next.equals(start)) {
                    List<String> path = new ArrayList<>(List.of(start));
                    for (String at = pkg; !at.equals(start); at = parent.get(at)) {
                        path.add(1, at);
                    }
                    path.add(start);
                    return path;
                }
                if (group.contains(next) && !parent.containsKey(next)) {
                    parent.put(next, pkg);
                    queue.add(next);
                }
            }
        }
        throw new AssertionError("no cycle through " + start);
    }
}
