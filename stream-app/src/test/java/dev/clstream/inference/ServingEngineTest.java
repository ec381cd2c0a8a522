package dev.clstream.inference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.testing.TestBundles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Swapping the serving engine: an engine swapped out is closed only once nothing holds it. */
class ServingEngineTest {
    @TempDir
    Path dir;

    private InferenceEngine open(String version, boolean flipped) {
        return InferenceEngine.open(TestBundles.tinyVersion(dir.resolve(version), version, flipped),
                EncoderOptions.builder().concurrency(1).build());
    }

    @Test
    void aLeasedEngineStaysOpenUntilItsLastLeaseIsClosed() {
        InferenceEngine v1 = open("1.0.0", false);
        InferenceEngine v2 = open("2.0.0", true);
        try (ServingEngine serving = ServingEngine.owning(v1)) {
            ServingEngine.Lease a = serving.lease();
            ServingEngine.Lease b = serving.lease();
            serving.swap(v2);
            assertSame(v2, serving.current());
            assertTrue(a.outdated());
            assertTrue(v1.isOpen(), "two tasks still run version 1");
            a.close();
            a.close(); // a second close gives nothing back twice
            assertTrue(v1.isOpen(), "one task still runs version 1");
            b.close();
            assertFalse(v1.isOpen(), "nobody holds version 1 any more");
            try (ServingEngine.Lease c = serving.lease()) {
                assertSame(v2, c.engine());
                assertFalse(c.outdated());
            }
            assertTrue(v2.isOpen(), "the serving engine stays open without leases");
        }
        assertFalse(v2.isOpen(), "closing the serving engine closes the engine serving");
    }

    @Test
    void anEngineSwappedOutWithoutLeasesClosesAtOnceAndAFixedOneNever() {
        InferenceEngine v1 = open("1.0.0", false);
        InferenceEngine v2 = open("2.0.0", true);
        try (ServingEngine serving = ServingEngine.owning(v1)) {
            serving.swap(v2);
            assertFalse(v1.isOpen());
        }
        InferenceEngine own = open("3.0.0", false);
        try (ServingEngine fixed = ServingEngine.fixed(own)) {
            fixed.lease().close();
        }
        assertTrue(own.isOpen(), "a fixed engine is its caller's to close");
        own.close();
    }
}
