package dev.bootsecrets.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A network namespace of a test's own, with its loopback up; deleted on close. Needs root. */
public final class Netns implements AutoCloseable {
    private final String name;

    private Netns(String name) {
        this.name = name;
    }

    /** A namespace named {@code prefix} and this process's id, so parallel runs do not collide. */
    public static Netns create(String prefix) throws Exception {
        Netns netns = new Netns(prefix + "-" + ProcessHandle.current().pid());
        run("netns", "add", netns.name);
        netns.ip("link", "set", "lo", "up");
        return netns;
    }

    /** {@code ip -n NAME ARGS}, which must succeed. */
    public void ip(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-n", name));
        all.addAll(List.of(args));
        run(all.toArray(String[]::new));
    }

    /** {@code command} run inside the namespace. */
    public List<String> exec(List<String> command) {
        List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", name));
        out.addAll(command);
        return out;
    }

    @Override
    public void close() throws Exception {
        Tool.run(List.of("ip", "netns", "del", name));
    }

    private static void run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Tool.Result result = Tool.run(command);
        if (result.exit() != 0) {
            throw new IOException(command + ": " + result);
        }
    }
}
