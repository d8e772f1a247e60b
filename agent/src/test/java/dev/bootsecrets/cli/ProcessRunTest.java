package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a failing executable prints is named as the kind of gap it is, and the agent's own log is not. */
class ProcessRunTest {
    static Optional<String> gap(int exit, String err) {
        return ProcessRun.gap(new Agent.Run(exit, "", err));
    }

    @Test
    void eachKindOfNativeGapIsNamed() {
        assertTrue(gap(1, "Exception in thread \"main\" org.graalvm.nativeimage.MissingReflectionRegistrationError: "
                + "Cannot reflectively access the class\n").orElseThrow().startsWith("missing reachability metadata for reflection"));
        assertTrue(gap(1, "com.oracle.svm.core.jni.MissingJNIRegistrationError: com.sun.jna.Native\n").orElseThrow()
                .startsWith("missing reachability metadata for JNI"));
        assertTrue(gap(1, "<3>internal error: java.lang.UnsatisfiedLinkError: Native library "
                + "(com/sun/jna/linux-x86-64/libjnidispatch.so) not found in resource path\n").orElseThrow()
                .startsWith("a resource not included in the image"));
        assertTrue(gap(1, "java.lang.ExceptionInInitializerError\n").orElseThrow().startsWith("class initialization"));
        assertTrue(gap(127, "bootsecrets-native: error while loading shared libraries: libextnet.so: cannot open "
                + "shared object file\n").orElseThrow().startsWith("a native library is missing"));
        assertTrue(gap(134, "native-kit libjvm stand-in: JVM_GetStackTrace is not implemented\n").orElseThrow()
                .contains("a kit gap"));
        assertTrue(gap(139, "").orElseThrow().startsWith("killed by signal 11"));
        assertTrue(gap(0, "SLF4J: Class path contains multiple SLF4J bindings.\n").orElseThrow()
                .startsWith("a line on stderr that is not the agent's log"));
    }

    @Test
    void theAgentsOwnLogAndExitCodesAreNotGaps() {
        assertEquals(Optional.empty(), gap(4, "<3>aws: metadata service http://169.254.169.254 unreachable\n<6>done\n"));
        assertEquals(Optional.empty(), gap(0, ""));
    }
}
