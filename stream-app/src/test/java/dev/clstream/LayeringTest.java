package dev.clstream;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages of the app follow the data path and depend only downward, in the order the README's
 * layout table names them. Packages on one level (metrics and live) are peers: neither uses the other.
 */
class LayeringTest {
    /** Bottom to top; packages in one inner list are peers. */
    static final List<List<String>> LEVELS = List.of(
            List.of("secrets"), List.of("event"), List.of("serde"), List.of("format"), List.of("bundle"), List.of("tokenize"),
            List.of("inference"), List.of("config"), List.of("topology"), List.of("metrics", "live"), List.of("http"),
            List.of("embedded"), List.of("runtime"), List.of("cli"));

    static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        // Test classes are left out wherever the build puts them (ArchUnit's own option knows only target/): the
        // -Pgpu build of GpuBuildIT writes to target-gpu.
        ImportOption noTests = location -> !location.contains("/test-classes/") && !location.contains("-tests.jar");
        classes = new ClassFileImporter().withImportOption(noTests).importPackages("dev.clstream");
    }

    /** Each package may be used only by the packages above its level. */
    static LayeredArchitecture layers() {
        LayeredArchitecture rule = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (List<String> level : LEVELS) {
            for (String pkg : level) {
                rule = rule.layer(pkg).definedBy("dev.clstream." + pkg + "..");
            }
        }
        for (int i = 0; i < LEVELS.size(); i++) {
            List<String> above = LEVELS.subList(i + 1, LEVELS.size()).stream().flatMap(List::stream).toList();
            for (String pkg : LEVELS.get(i)) {
                rule = above.isEmpty() ? rule.whereLayer(pkg).mayNotBeAccessedByAnyLayer()
                        : rule.whereLayer(pkg).mayOnlyBeAccessedByLayers(above.toArray(String[]::new));
            }
        }
        return rule;
    }

    @Test
    void packagesDependOnlyDownward() {
        layers().check(classes);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("dev.clstream.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void everyPackageOfTheAppHasALevel() throws IOException {
        Path root = Path.of("src/main/java/dev/clstream");
        List<String> packages;
        try (Stream<Path> dirs = Files.list(root)) {
            packages = dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
        }
        assertEquals(packages, LEVELS.stream().flatMap(List::stream).sorted().toList());
    }

    /** The README's layout table lists stream-app's packages, bottom to top, as {@code `a` → `b` → ...}. */
    @Test
    void theReadmeNamesTheSameOrder() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        Matcher row = Pattern.compile("\\| `stream-app/` \\|([^\\n]*)").matcher(readme);
        if (!row.find()) {
            throw new AssertionError("README.md has no layout row for `stream-app/`");
        }
        Matcher order = Pattern.compile("`([a-z]+)`").matcher(row.group(1));
        List<String> named = new ArrayList<>();
        while (order.find()) {
            named.add(order.group(1));
        }
        assertEquals(LEVELS.stream().flatMap(List::stream).toList(), named,
                "the README's layout row for stream-app/ names the packages in their order, bottom to top");
    }
}
