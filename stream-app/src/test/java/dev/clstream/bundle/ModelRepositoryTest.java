package dev.clstream.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clstream.testing.TestBundles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model repository: which subdirectories are versions, their order, and a version named after its bundle. */
class ModelRepositoryTest {
    @TempDir
    Path dir;

    @Test
    void versionsSortInSemanticVersionOrder() {
        List<String> sorted = List.of("0.9.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta", "1.0.0-rc.1", "1.0.0",
                "1.0.1", "1.2.0", "1.10.0", "2.0.0+build.5");
        List<String> shuffled = new ArrayList<>(sorted);
        Collections.shuffle(shuffled, new java.util.Random(3));
        shuffled.sort(ModelRepository::compareVersions);
        assertEquals(sorted, shuffled);
        assertEquals(0, ModelRepository.compareVersions("1.0.0+a", "1.0.0+b"), "build metadata does not count");
        assertTrue(ModelRepository.ORDER.compare("1.0.0+a", "1.0.0+b") < 0, "but every instance must pick the same");
    }

    @Test
    void onlyCompleteVisibleSubdirectoriesAreVersionsHighestFirst() throws IOException {
        Path repo = dir.resolve("repo");
        TestBundles.tinyVersion(repo.resolve("1.9.0"), "1.9.0", false);
        TestBundles.tinyVersion(repo.resolve("1.10.0"), "1.10.0", true);
        TestBundles.tinyVersion(repo.resolve(".2.0.0.incoming"), "2.0.0", true);
        Files.createDirectories(repo.resolve("3.0.0")); // being copied: no bundle.json yet
        assertTrue(ModelRepository.isRepository(repo));
        assertFalse(ModelRepository.isRepository(repo.resolve("1.9.0")), "a bundle is not a repository");
        assertEquals(List.of("1.10.0", "1.9.0"), ModelRepository.versions(repo).stream()
                .map(ModelRepository.Version::name).toList());
        assertEquals("1.10.0", ModelRepository.load(ModelRepository.versions(repo).get(0)).manifest().version());
    }

    @Test
    void aVersionWhoseBundleNamesAnotherVersionIsRefused() {
        Path repo = dir.resolve("repo");
        TestBundles.tinyVersion(repo.resolve("2.0.0"), "1.0.0", false);
        BundleException e = assertThrows(BundleException.class,
                () -> ModelRepository.load(ModelRepository.versions(repo).get(0)));
        assertTrue(e.getMessage().contains("says version '1.0.0' but its directory in the repository is '2.0.0'"),
                e.getMessage());
    }
}
