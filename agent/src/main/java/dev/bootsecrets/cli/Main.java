package dev.bootsecrets.cli;

/** Entry point; commands are added as the stages land. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(0);
    }
}
