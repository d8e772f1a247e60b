package dev.bootsecrets.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccountsTest {
    @TempDir
    Path sandbox;

    @Test
    void parsesUsersAndGroupsIgnoringCommentsBlankAndMalformedLines() throws IOException {
        write("etc/passwd", """
                # users of this image
                root:x:0:0:root:/root:/bin/bash

                core:x:1000:1000:CoreOS Admin:/var/home/core:/bin/bash
                broken:x:1001
                notanumber:x:abc:1000::/home/n:/bin/sh
                negative:x:-5:1000::/home/n:/bin/sh
                toobig:x:99999999999:1000::/home/n:/bin/sh
                +nisuser::::::
                core:x:2000:2000:a second core:/home/other:/bin/sh
                myapp:x:990:985::/var/lib/myapp:/sbin/nologin\r
                """);
        write("etc/group", """
                root:x:0:
                # comment
                wheel:x:10:core
                nogid:x::
                myapp:x:985:
                """);

        Accounts accounts = load();

        assertEquals(Optional.of(new Account("core", 1000, 1000, "/var/home/core")), accounts.user("core"));
        assertEquals(Optional.of(new Account("myapp", 990, 985, "/var/lib/myapp")), accounts.user("myapp"));
        assertEquals(Optional.of(new Group("wheel", 10)), accounts.group("wheel"));
        assertEquals(Optional.of(new Group("myapp", 985)), accounts.group("myapp"));
        for (String malformed : new String[] {"broken", "notanumber", "negative", "toobig", "+nisuser", "nobody"}) {
            assertEquals(Optional.empty(), accounts.user(malformed), malformed);
        }
        assertEquals(Optional.empty(), accounts.user("1000"), "names only, not uids");
        assertEquals(Optional.empty(), accounts.group("nogid"));
        assertEquals(Optional.empty(), accounts.group("nosuchgroup"));
    }

    @Test
    void systemAccountsUnderUsrLibFillInWhatEtcLacks() throws IOException {
        write("etc/passwd", "core:x:1000:1000::/var/home/core:/bin/bash\n");
        write("usr/lib/passwd", "core:x:5:5::/wrong:/bin/sh\nsshd:x:74:74::/usr/share/empty.sshd:/sbin/nologin\n");
        write("usr/lib/group", "sshd:x:74:\n");

        Accounts accounts = load();

        assertEquals(1000, accounts.user("core").orElseThrow().uid(), "/etc wins");
        assertEquals(74, accounts.user("sshd").orElseThrow().uid());
        assertEquals(74, accounts.group("sshd").orElseThrow().gid());
    }

    @Test
    void withoutFilesOnlyRootResolves() throws IOException {
        Accounts accounts = load();

        assertEquals(Optional.of(new Account("root", 0, 0, "/root")), accounts.user("root"));
        assertEquals(Optional.of(new Group("root", 0)), accounts.group("root"));
        assertEquals(Optional.empty(), accounts.user("core"));
    }

    @Test
    void usersWithAnotherUidAndTheSameHomeShareIt() throws IOException {
        write("etc/passwd", """
                root:x:0:0:root:/root:/bin/bash
                operator:x:11:0:operator:/root/:/sbin/nologin
                toor:x:0:0::/root:/bin/sh
                core:x:1000:1000::/var/home/core:/bin/bash
                """);

        Accounts accounts = load();

        assertEquals(List.of("operator"), accounts.sharingHome(accounts.user("root").orElseThrow()));
        assertEquals(List.of("root", "toor"), accounts.sharingHome(accounts.user("operator").orElseThrow()));
        assertEquals(List.of(), accounts.sharingHome(accounts.user("core").orElseThrow()));
    }

    private Accounts load() throws IOException {
        try (TargetRoot root = TargetRoot.open(sandbox)) {
            return Accounts.load(root);
        }
    }

    private void write(String relative, String content) throws IOException {
        Path file = sandbox.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
