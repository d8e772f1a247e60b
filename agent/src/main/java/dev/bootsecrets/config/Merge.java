package dev.bootsecrets.config;

import dev.bootsecrets.config.Declarations.CredentialDecl;
import dev.bootsecrets.config.Declarations.EnvDecl;
import dev.bootsecrets.config.Declarations.FileDecl;
import dev.bootsecrets.config.Declarations.PodmanDecl;
import dev.bootsecrets.config.Declarations.RegistryDecl;
import dev.bootsecrets.config.Declarations.SecretDecl;
import dev.bootsecrets.config.Declarations.SshDecl;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Lays a later layer's declarations over an earlier one's, entry by entry. */
final class Merge {
    private Merge() {}

    /**
     * A later secret replaces the one of the same name (and so do registries, credentials,
     * env files and podman secrets), later keys for a user replace that user's keys, and a later file replaces what came before for its path, unless it has
     * {@code append: true}, which adds to it.
     */
    static Declarations over(Declarations base, Declarations later) {
        List<FileDecl> files = new ArrayList<>(base.files());
        for (FileDecl file : later.files()) {
            if (!file.append()) {
                files.removeIf(f -> f.path().equals(file.path()));
            }
            files.add(file);
        }
        return new Declarations(
                replace(base.secrets(), later.secrets(), SecretDecl::name),
                replace(base.ssh(), later.ssh(), SshDecl::user),
                files,
                replace(base.registries(), later.registries(), RegistryDecl::registry),
                replace(base.credentials(), later.credentials(), CredentialDecl::name),
                replace(base.env(), later.env(), EnvDecl::name),
                replace(base.podman(), later.podman(), PodmanDecl::name));
    }

    private static <T> List<T> replace(List<T> base, List<T> later, Function<T, String> key) {
        Set<String> replaced = later.stream().map(key).collect(Collectors.toSet());
        List<T> out = new ArrayList<>();
        base.stream().filter(d -> !replaced.contains(key.apply(d))).forEach(out::add);
        out.addAll(later);
        return out;
    }
}
