package dev.bootsecrets.plan;

import java.util.List;

/** The plan failed validation, so nothing is written; each error names the declaration. */
public final class PlanException extends Exception {
    private final List<String> errors;

    public PlanException(List<String> errors) {
        super(String.join("; ", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
