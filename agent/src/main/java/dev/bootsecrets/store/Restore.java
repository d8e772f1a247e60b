package dev.bootsecrets.store;

import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.Declarations.Content;
import dev.bootsecrets.config.Declarations.EnvDecl;
import dev.bootsecrets.config.Declarations.FileDecl;
import dev.bootsecrets.config.Declarations.RegistryDecl;
import dev.bootsecrets.config.Declarations.RegistryLogin;
import dev.bootsecrets.config.Declarations.SecretDecl;
import dev.bootsecrets.config.Declarations.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The declarations of the last good run with its stored values in place of their sources, so
 * the planner turns them into the same outputs without a metadata service or a join. A secret
 * with no usable record (never stored, refused, too old) is left out, and so is every output
 * that needs it, each named in a warning: the others still apply.
 */
public final class Restore {
    /** Secret records are stored under this prefix and the secret's name. */
    public static final String SECRET = "secret:";

    private Restore() {}

    public static Declarations declarations(Declarations declared, Map<String, StoredValue> stored, List<String> warnings) {
        List<SecretDecl> secrets = new ArrayList<>();
        for (SecretDecl s : declared.secrets()) {
            StoredValue v = stored.get(SECRET + s.name());
            if (v != null) {
                secrets.add(new SecretDecl(s.name(), new Source.Inline(v.value()), Declarations.Encoding.NONE,
                        Math.max(s.maxBytes(), v.value().length()), s.origin()));
            }
        }
        List<String> have = secrets.stream().map(SecretDecl::name).toList();
        List<FileDecl> files = new ArrayList<>();
        for (FileDecl f : declared.files()) {
            if (usable(ref(f.content()), have, f.origin() + " (" + f.path() + ")", warnings)) {
                files.add(f);
            }
        }
        List<RegistryDecl> registries = new ArrayList<>();
        for (RegistryDecl r : declared.registries()) {
            Optional<String> ref = switch (r.login()) {
                case RegistryLogin.Password p -> Optional.of(p.secret());
                case RegistryLogin.IdentityToken t -> Optional.of(t.secret());
                case RegistryLogin.Helper h -> Optional.empty();
            };
            if (usable(ref, have, r.origin() + " (" + r.registry() + ")", warnings)) {
                registries.add(r);
            }
        }
        List<Declarations.CredentialDecl> credentials = new ArrayList<>();
        for (Declarations.CredentialDecl c : declared.credentials()) {
            if (usable(Optional.of(c.secret()), have, c.origin() + " (" + c.name() + ")", warnings)) {
                credentials.add(c);
            }
        }
        List<EnvDecl> env = new ArrayList<>();
        for (EnvDecl e : declared.env()) {
            boolean all = true;
            for (Declarations.EnvVar var : e.vars()) {
                all &= usable(ref(var.value()), have, e.origin() + " (" + e.name() + "." + var.name() + ")", warnings);
            }
            if (all) {
                env.add(e);
            }
        }
        List<Declarations.PodmanDecl> podman = new ArrayList<>();
        for (Declarations.PodmanDecl p : declared.podman()) {
            if (usable(Optional.of(p.secret()), have, p.origin() + " (" + p.name() + ")", warnings)) {
                podman.add(p);
            }
        }
        return new Declarations(secrets, declared.ssh(), files, registries, credentials, env, podman);
    }

    private static Optional<String> ref(Content content) {
        return content instanceof Content.SecretRef r ? Optional.of(r.name()) : Optional.empty();
    }

    private static boolean usable(Optional<String> secret, List<String> have, String output, List<String> warnings) {
        if (secret.isEmpty() || have.contains(secret.get())) {
            return true;
        }
        warnings.add(output + ": not restored, the store has no usable value of secret " + secret.get());
        return false;
    }
}
