package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.config.ConfigSources;
import dev.clstream.http.OpsRoutes;
import dev.clstream.testing.RequiredTools;
import dev.clstream.testing.TestBundles;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The docker-compose stack, the Prometheus files and the images, without a Docker engine: the real CLIs
 * ({@code docker compose config}, {@code promtool}) accept the files, the files agree with each other and with the
 * app's configuration rules, and the image's layout (deploy/image-tree.sh) runs the launcher.
 */
class DeployConfigIT {
    static final Path DEPLOY = ExternalTools.deployDir();
    static final Set<String> SERVICES = Set.of("kafka", "kafka-init", "schema-registry", "clstream", "prometheus",
            "grafana");

    @Test
    void promtoolAcceptsTheConfigAndTheAlertRules() throws Exception {
        Path promtool = RequiredTools.require("promtool", "install the Debian package 'prometheus'");
        // check config also checks the rule files the config names.
        ExternalTools.Result config = ExternalTools.run(DEPLOY.resolve("prometheus"), 60, promtool.toString(), "check",
                "config", "prometheus.yml");
        assertEquals(0, config.exitCode(), config.output());
        assertTrue(config.output().contains("SUCCESS: 1 rule files found"), config.output());
        ExternalTools.Result rules = ExternalTools.run(DEPLOY.resolve("prometheus"), 60, promtool.toString(), "check",
                "rules", "alerts.yml");
        assertEquals(0, rules.exitCode(), rules.output());
    }

    /**
     * A rule over a misspelt metric passes {@code promtool check rules}; its unit tests in alerts.test.yml do not.
     * Every alert must have one case that fires it and one that keeps it quiet, and all must pass.
     */
    @Test
    void everyAlertFiresOnItsUnitTestsAndStaysQuietOtherwise() throws Exception {
        Path promtool = RequiredTools.require("promtool", "install the Debian package 'prometheus'");
        YAMLMapper yaml = new YAMLMapper();
        Set<String> alerts = new TreeSet<>();
        for (JsonNode group : yaml.readTree(DEPLOY.resolve("prometheus/alerts.yml").toFile()).path("groups")) {
            group.path("rules").forEach(r -> alerts.add(r.path("alert").asText()));
        }
        Set<String> fired = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        for (JsonNode test : yaml.readTree(DEPLOY.resolve("prometheus/alerts.test.yml").toFile()).path("tests")) {
            for (JsonNode t : test.path("alert_rule_test")) {
                (t.path("exp_alerts").isEmpty() ? quiet : fired).add(t.path("alertname").asText());
            }
        }
        assertEquals(alerts, fired, "alerts with a unit test that fires them");
        assertEquals(alerts, quiet, "alerts with a unit test that keeps them quiet");
        ExternalTools.Result tests = ExternalTools.run(DEPLOY.resolve("prometheus"), 60, promtool.toString(), "test",
                "rules", "alerts.test.yml");
        assertEquals(0, tests.exitCode(), tests.output());
        assertTrue(tests.output().contains("SUCCESS"), tests.output());
    }

    @Test
    void composeAcceptsTheFile() throws Exception {
        List<String> compose = composeCli();
        List<String> command = new ArrayList<>(compose);
        command.addAll(List.of("-f", "docker-compose.yml", "config"));
        ExternalTools.Result r = ExternalTools.run(DEPLOY, 120, command.toArray(String[]::new));
        assertEquals(0, r.exitCode(), String.join(" ", command) + ":\n" + r.output());
        // The CLI's normalised form, read back: every service is there, clstream built from deploy/Dockerfile.
        String yaml = r.output().substring(Math.max(0, r.output().indexOf("services:")));
        JsonNode normalised = new YAMLMapper().readTree(yaml);
        Set<String> services = new TreeSet<>();
        normalised.path("services").fieldNames().forEachRemaining(services::add);
        assertEquals(new TreeSet<>(SERVICES), services);
        assertTrue(normalised.path("services").path("clstream").path("build").path("dockerfile").asText()
                .endsWith("Dockerfile"), normalised.path("services").path("clstream").toString());
    }

    @Test
    void composeWiresClstreamToKafkaRegistryPrometheusAndGrafana() throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        JsonNode services = yaml.readTree(DEPLOY.resolve("docker-compose.yml").toFile()).path("services");
        Map<String, String> env = new TreeMap<>();
        services.path("clstream").path("environment").fields()
                .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        // The app's own rules: every CLSTREAM_* variable must be a key it accepts with a value it accepts.
        ClstreamConfig config = ClstreamConfig.of(ConfigSources.merge(null, env, Map.of()));

        String bootstrap = config.streamsProperties().getProperty("bootstrap.servers");
        String kafkaListeners = services.path("kafka").path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText();
        assertTrue(List.of(kafkaListeners.split(",")).contains("PLAINTEXT://" + bootstrap),
                "bootstrap.servers " + bootstrap + " is not an advertised listener: " + kafkaListeners);
        URI registry = URI.create(config.registry().url());
        assertTrue(services.has(registry.getHost()), "schema.registry.url names no service: " + registry);
        assertTrue(services.path(registry.getHost()).path("environment").path("SCHEMA_REGISTRY_LISTENERS").asText()
                .endsWith(":" + registry.getPort()), "the registry does not listen on " + registry.getPort());

        // The topics kafka-init creates are the app's topics.
        String init = services.path("kafka-init").path("command").toString();
        for (String topic : List.of(config.inputTopic(), config.labelsTopic(), config.embeddingsTopic(),
                config.deadLetterTopic(), config.labelStatsTopic())) {
            assertTrue(init.contains(topic), "kafka-init does not create " + topic);
        }

        // Prometheus scrapes the clstream service on the app's port and path.
        JsonNode prometheus = yaml.readTree(DEPLOY.resolve("prometheus/prometheus.yml").toFile());
        JsonNode job = null;
        for (JsonNode j : prometheus.path("scrape_configs")) {
            if (j.path("job_name").asText().equals("clstream")) {
                job = j;
            }
        }
        assertTrue(job != null, "no clstream job in prometheus.yml");
        assertEquals(OpsRoutes.METRICS, job.path("metrics_path").asText(OpsRoutes.METRICS));
        assertEquals("clstream:" + config.http().port(), job.path("static_configs").get(0).path("targets").get(0).asText());
        assertTrue(services.path("clstream").path("ports").toString().contains(":" + config.http().port()),
                "compose publishes the app's port");

        // Grafana: the provisioned datasource is this Prometheus, and the dashboard uses that datasource.
        JsonNode datasource = yaml.readTree(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yml").toFile())
                .path("datasources").get(0);
        assertEquals("http://prometheus:9090", datasource.path("url").asText());
        JsonNode dashboard = new ObjectMapper().readTree(GrafanaDashboard.file().toFile());
        Set<String> uids = new TreeSet<>(dashboard.findValuesAsText("uid"));
        uids.remove(dashboard.path("uid").asText());
        assertEquals(Set.of(datasource.path("uid").asText()), uids, "datasource uids the dashboard refers to");

        // Every file compose mounts exists (relative to deploy/).
        for (String service : SERVICES) {
            for (JsonNode volume : services.path(service).path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith(".")) {
                    assertTrue(Files.exists(DEPLOY.resolve(source)), service + " mounts a missing " + source);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.cuda"})
    void dockerfileRunsClstreamAsNonRootWithTheBundleAndHealthCheck(String name) throws IOException {
        Dockerfile df = Dockerfile.read(DEPLOY.resolve(name));
        assertEquals("/opt/clstream/bundles", df.env().get("CLSTREAM_BUNDLES_DIR"), name);
        assertTrue(df.last("COPY").orElseThrow().startsWith("--from=build /out/clstream /opt/clstream"), name);
        assertTrue(df.all("RUN").stream().anyMatch(r -> r.contains("deploy/image-tree.sh /src /out/clstream "
                + "model-export/target/bundles ${BUNDLES}")), name + " lays out /out/clstream with image-tree.sh");
        assertTrue(df.env().get("PATH").startsWith("/opt/clstream/bin:"), name);
        String user = df.last("USER").orElseThrow();
        assertTrue(user.startsWith("clstream"), name + ": USER " + user);
        assertEquals(imageUid(), Integer.parseInt(df.arg("UID")), name + ": the same uid as deploy/Dockerfile");
        // No configuration key in the image: CLSTREAM_* variables would override the deployer's config file.
        for (String key : df.env().keySet()) {
            assertTrue(ConfigSources.fromEnv(Map.of(key, "x")).isEmpty(), name + " sets configuration key " + key);
        }
        assertEquals(Integer.toString(ClstreamConfig.of(Map.of()).http().port()), df.last("EXPOSE").orElseThrow(),
                name + ": EXPOSE the app's default http.port");
        assertTrue(df.last("HEALTHCHECK").orElseThrow().endsWith("CMD [\"healthcheck.sh\", \"" + OpsRoutes.READY + "\"]"),
                name);
        assertEquals("[\"clstream\"]", df.last("ENTRYPOINT").orElseThrow(), name);
        assertTrue(df.last("CMD").orElseThrow().startsWith("[\"run\""), name);
    }

    @Test
    void imageLayoutRunsTheLauncherWithItsBuiltInBundle() throws Exception {
        Path repo = ExternalTools.repoRoot();
        RequiredTools.requirePresent(Files.isRegularFile(repo.resolve("stream-app/target/clstream-stream-app.jar")),
                "stream-app is not packaged (run the tests through mvn verify)");
        Path work = Files.createTempDirectory(ItSupport.workDir(), "image-layout-");
        Path built = work.resolve("bundles");
        TestBundles.tiny(built.resolve("tiny"));
        Path opt = work.resolve("opt/clstream");
        ExternalTools.Result tree = ExternalTools.run(repo, 120, "bash", DEPLOY.resolve("image-tree.sh").toString(),
                repo.toString(), opt.toString(), built.toString(), "tiny");
        assertEquals(0, tree.exitCode(), tree.output());
        // As the image runs it: the launcher from bin/, built-in bundles found through CLSTREAM_BUNDLES_DIR.
        ExternalTools.Result r = ExternalTools.run(work, 120, "env", "CLSTREAM_BUNDLES_DIR=" + opt.resolve("bundles"),
                opt.resolve("bin/clstream").toString(), "classify", "--bundle", "tiny", "the cat sat on the mat");
        assertEquals(0, r.exitCode(), r.output());
        JsonNode answer = new ObjectMapper().readTree(r.output().lines().filter(l -> l.startsWith("{")).findFirst()
                .orElseThrow(() -> new AssertionError("no JSON answer:\n" + r.output())));
        assertTrue(TestBundles.TINY_LABELS.contains(answer.path("label").asText()), answer.toString());
        assertTrue(answer.path("model").asText().startsWith("tiny@"), answer.toString());
        assertTrue(Files.isExecutable(opt.resolve("bin/healthcheck.sh")), "the health check is in the image's bin/");
    }

    /** The uid of the images' clstream user (ARG UID in deploy/Dockerfile). */
    static int imageUid() throws IOException {
        return Integer.parseInt(Dockerfile.read(DEPLOY.resolve("Dockerfile")).arg("UID"));
    }

    /** {@code docker compose} (the v2 plugin) when the docker CLI has it, else {@code docker-compose}. */
    private static List<String> composeCli() throws Exception {
        Optional<Path> docker = RequiredTools.find("docker");
        if (docker.isPresent() && ExternalTools.run(DEPLOY, 60, docker.get().toString(), "compose", "version").ok()) {
            return List.of(docker.get().toString(), "compose");
        }
        return List.of(RequiredTools.require("docker-compose",
                "install a compose CLI (Debian package 'docker-compose', or the docker compose plugin)").toString());
    }

    /** A Dockerfile's instructions, continuation lines joined and comments dropped, with args as written. */
    record Dockerfile(List<Map.Entry<String, String>> instructions) {
        static Dockerfile read(Path file) throws IOException {
            List<Map.Entry<String, String>> out = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : Files.readAllLines(file)) {
                String t = line.strip();
                if (t.startsWith("#") || (t.isEmpty() && current.isEmpty())) {
                    continue;
                }
                if (t.endsWith("\\")) {
                    current.append(t, 0, t.length() - 1).append(' ');
                    continue;
                }
                current.append(t);
                String[] parts = current.toString().strip().split("\\s+", 2);
                out.add(Map.entry(parts[0].toUpperCase(java.util.Locale.ROOT), parts.length > 1 ? parts[1] : ""));
                current.setLength(0);
            }
            return new Dockerfile(out);
        }

        List<String> all(String instruction) {
            return instructions.stream().filter(e -> e.getKey().equals(instruction)).map(Map.Entry::getValue).toList();
        }

        Optional<String> last(String instruction) {
            List<String> all = all(instruction);
            return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
        }

        /** ENV of the last stage (the runtime image), one KEY=VALUE per instruction as these files write it. */
        Map<String, String> env() {
            int lastFrom = 0;
            for (int i = 0; i < instructions.size(); i++) {
                if (instructions.get(i).getKey().equals("FROM")) {
                    lastFrom = i;
                }
            }
            Map<String, String> env = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : instructions.subList(lastFrom, instructions.size())) {
                if (e.getKey().equals("ENV")) {
                    String[] kv = e.getValue().split("=", 2);
                    env.put(kv[0], kv[1].replaceAll("^\"|\"$", ""));
                }
            }
            return env;
        }

        /** The default of {@code ARG name=default}. */
        String arg(String name) {
            return all("ARG").stream().filter(a -> a.startsWith(name + "=")).map(a -> a.substring(name.length() + 1))
                    .findFirst().orElseThrow(() -> new AssertionError("no ARG " + name + "=..."));
        }
    }
}
