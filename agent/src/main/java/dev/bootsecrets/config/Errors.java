package dev.bootsecrets.config;

import java.util.ArrayList;
import java.util.List;

/** Collects every error of a load, so one run reports all of them; bounded, as the input may be hostile. */
final class Errors {
    static final int MAX = 50;

    private final List<String> list = new ArrayList<>();
    private int dropped;

    void add(String error) {
        if (list.size() < MAX) {
            list.add(error);
        } else {
            dropped++;
        }
    }

    void addAll(ConfigException e) {
        e.errors().forEach(this::add);
    }

    void throwIfAny() throws ConfigException {
        if (list.isEmpty()) {
            return;
        }
        List<String> all = new ArrayList<>(list);
        if (dropped > 0) {
            all.add("and " + dropped + " more errors");
        }
        throw new ConfigException(all);
    }
}
