package dev.bootsecrets.output;

import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.Declarations.EnvDecl;
import dev.bootsecrets.config.Declarations.EnvVar;
import dev.bootsecrets.config.Settings.UserDataPolicy;
import dev.bootsecrets.plan.Content;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.FileIntent.DirIntent;
import dev.bootsecrets.plan.Manifest;
import dev.bootsecrets.plan.Ownership;
import dev.bootsecrets.secret.Secret;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Env files for {@code EnvironmentFile=}: {@code /run/bootsecrets/env/NAME.env}, one
 * {@code VAR="value"} per variable. Every value is double-quoted, with {@code \ " $ `} escaped
 * by a backslash: inside double quotes systemd's parser (src/basic/env-file.c) takes every
 * other byte as it is, newlines included, and so does a shell sourcing the file. Two things
 * cannot be carried: a NUL byte (the file is read as a C string) and bytes that are not
 * UTF-8 (systemd refuses the whole file); either is an error naming the variable.
 */
final class EnvFiles {
    static final String DIR = "/run/bootsecrets/env";
    static final String KIND = "env";
    static final String HEADER = "# Written by bootsecrets at every boot; edits here are lost.\n";

    private EnvFiles() {}

    static List<FileIntent> plan(
            List<EnvDecl> declared, Map<String, Secret> secrets,
            Map<String, Manifest.Entry> tracked, List<String> errors) {
        List<FileIntent> intents = new ArrayList<>();
        for (EnvDecl decl : declared) {
            String path = DIR + "/" + decl.name() + ".env";
            String field = decl.origin().toString();
            render(decl, secrets, errors).ifPresent(content -> {
                intents.add(new FileIntent(path, KIND, new Content.Whole(content), Ownership.ROOT, 0600, field,
                        decl.origin().fromUserData(), List.of(new DirIntent("/run/bootsecrets", Ownership.ROOT, 0700, true),
                                new DirIntent(DIR, Ownership.ROOT, 0700, true))));
                tracked.put(path, Manifest.Entry.file(path, KIND));
            });
        }
        return intents;
    }

    /** The file's bytes; empty (with errors) when a value cannot be carried or its secret is missing. */
    static Optional<Secret> render(EnvDecl decl, Map<String, Secret> secrets, List<String> errors) {
        List<byte[]> lines = new ArrayList<>();
        lines.add(HEADER.getBytes(StandardCharsets.UTF_8));
        boolean ok = true;
        for (EnvVar var : decl.vars()) {
            Secret value = switch (var.value()) {
                case Declarations.Content.Literal literal -> literal.bytes();
                case Declarations.Content.SecretRef ref -> secrets.get(ref.name());
            };
            if (value == null) {
                ok = false; // the secret's own error is already reported
                continue;
            }
            byte[] bytes = value.bytes();
            Optional<String> problem = textProblem(bytes);
            if (problem.isPresent()) {
                String what = var.value() instanceof Declarations.Content.SecretRef ref ? "the value of secret " + ref.name() : "the value";
                errors.add(decl.origin() + "." + var.name() + ": " + what + " " + problem.get()
                        + ", which an environment file cannot carry (use a credential or a file instead)");
                ok = false;
            } else {
                lines.add(line(var.name(), bytes));
            }
            Secret.wipe(bytes);
        }
        byte[] all = concat(lines);
        lines.forEach(Secret::wipe);
        Secret content = Secret.of(all);
        Secret.wipe(all);
        return ok ? Optional.of(content) : Optional.empty();
    }

    /** {@code NAME="value"} and a newline, with \ " $ ` escaped. */
    static byte[] line(String name, byte[] value) {
        int escapes = 0;
        for (byte b : value) {
            escapes += special(b) ? 1 : 0;
        }
        byte[] head = (name + "=\"").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + value.length + escapes + 2];
        System.arraycopy(head, 0, out, 0, head.length);
        int at = head.length;
        for (byte b : value) {
            if (special(b)) {
                out[at++] = '\\';
            }
            out[at++] = b;
        }
        out[at++] = '"';
        out[at] = '\n';
        return out;
    }

    private static boolean special(byte b) {
        return b == '\\' || b == '"' || b == '$' || b == '`';
    }

    private static byte[] concat(List<byte[]> parts) {
        byte[] out = new byte[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** Why {@code value} is not text a file of variables (or a JSON string) can hold: a NUL byte, or not UTF-8. */
    static Optional<String> textProblem(byte[] value) {
        for (byte b : value) {
            if (b == 0) {
                return Optional.of("holds a NUL byte");
            }
        }
        // Decoded into a buffer of our own, so the copy of the value can be wiped.
        CharBuffer chars = CharBuffer.allocate(value.length);
        try {
            CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            boolean valid = !decoder.decode(ByteBuffer.wrap(value), chars, true).isError() && !decoder.flush(chars).isError();
            return valid ? Optional.empty() : Optional.of("is not UTF-8 text");
        } finally {
            Arrays.fill(chars.array(), '\0');
        }
    }
}
