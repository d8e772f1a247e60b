package dev.bootsecrets.plan;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Fuzz target: the manifest of what earlier runs wrote; a bad one is refused, never a crash. */
class ManifestFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void parse(byte[] manifest) {
        try {
            Manifest.parse(manifest);
        } catch (IllegalArgumentException e) {
            // Manifest.read turns this into a warning and an empty manifest
        }
    }
}
