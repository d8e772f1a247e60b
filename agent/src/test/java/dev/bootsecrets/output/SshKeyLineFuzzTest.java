package dev.bootsecrets.output;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzz target: SSH key lines. A line is refused with a reason or accepted; an accepted line
 * never carries a second line into authorized_keys (no key or option injection).
 */
class SshKeyLineFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void keyLine(byte[] input) {
        String line = new String(input, StandardCharsets.UTF_8);
        if (SshKeys.problem(line).isEmpty()) {
            List<String> warnings = new ArrayList<>();
            String block = SshKeys.validKeys("core", List.of(new SshKeys.Declared(line, "fuzz")), warnings);
            assertFalse(block.strip().contains("\n") || block.contains("\r"), "one accepted key became more lines");
        }
    }
}
