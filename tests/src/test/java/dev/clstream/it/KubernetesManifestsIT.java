package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.config.ConfigSources;
import dev.clstream.http.OpsRoutes;
import dev.clstream.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes: the manifests pass an offline schema validation (validate/validate.mjs with the npm package
 * kubernetes-models), and they fit the app: probes on its health endpoints, the port it listens on, a configuration
 * file the app accepts, replicas within the input's partitions, the image's non-root user.
 */
class KubernetesManifestsIT {
    static final Path DIR = ExternalTools.deployDir().resolve("kubernetes");
    static final Path VALIDATOR = DIR.resolve("validate");

    @Test
    void manifestsPassSchemaValidation() throws Exception {
        Path node = RequiredTools.require("node", "install Node.js to validate the Kubernetes manifests");
        RequiredTools.requirePresent(Files.isDirectory(VALIDATOR.resolve("node_modules/kubernetes-models")),
                "npm packages not installed: run 'npm ci' in deploy/kubernetes/validate");
        ExternalTools.Result r = ExternalTools.run(VALIDATOR, 120, node.toString(), "validate.mjs", DIR.toString());
        assertEquals(0, r.exitCode(), r.output());
        // Each document was validated, not skipped: the script prints "ok FILE: KIND/NAME (APIVERSION)" for each.
        for (JsonNode doc : documents()) {
            String id = ": " + doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText() + " ";
            assertTrue(r.output().lines().anyMatch(l -> l.startsWith("ok ") && l.contains(id)),
                    "the validator did not report" + id + "as valid:\n" + r.output());
        }
    }

    @Test
    void theValidatorRejectsABadManifest() throws Exception {
        // A validator that passes everything would make the test above worthless: feed it a broken Deployment.
        Path node = RequiredTools.require("node", "install Node.js to validate the Kubernetes manifests");
        RequiredTools.requirePresent(Files.isDirectory(VALIDATOR.resolve("node_modules/kubernetes-models")),
                "npm packages not installed: run 'npm ci' in deploy/kubernetes/validate");
        Path bad = Files.createTempDirectory(ItSupport.workDir(), "k8s-bad-");
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                Files.copy(f, bad.resolve(f.getFileName()));
            }
        }
        Path deployment = bad.resolve("deployment.yaml");
        Files.writeString(deployment, Files.readString(deployment)
                .replace("containerPort: 8080", "containerPort: \"eighty\""));
        ExternalTools.Result r = ExternalTools.run(VALIDATOR, 120, node.toString(), "validate.mjs", bad.toString());
        assertEquals(1, r.exitCode(), r.output());
        assertTrue(r.output().contains("containerPort"), r.output());
    }

    @Test
    void everyDocumentHasWhatAClusterRequires() throws IOException {
        List<JsonNode> docs = documents();
        Set<String> kinds = new TreeSet<>();
        for (JsonNode d : docs) {
            String where = d.path("kind").asText("?") + " " + d.path("metadata").path("name").asText("?");
            assertFalse(d.path("apiVersion").asText().isEmpty(), where + ": apiVersion");
            assertFalse(d.path("kind").asText().isEmpty(), where + ": kind");
            assertTrue(d.path("metadata").path("name").asText().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"),
                    where + ": metadata.name must be a DNS label");
            kinds.add(d.path("kind").asText());
        }
        assertEquals(Set.of("Namespace", "ConfigMap", "Secret", "Deployment", "Service", "PodDisruptionBudget",
                "NetworkPolicy"), kinds);
    }

    @Test
    void deploymentFitsTheApp() throws IOException {
        JsonNode deployment = one("Deployment");
        JsonNode pod = deployment.path("spec").path("template");
        JsonNode container = single(pod.path("spec").path("containers"), "containers");
        ClstreamConfig config = ClstreamConfig.of(mountedConfig(pod, container));
        int port = config.http().port();

        int partitions = Integer.parseInt(deployment.path("metadata").path("annotations")
                .path("clstream.dev/input-partitions").asText("0"));
        int replicas = deployment.path("spec").path("replicas").asInt();
        assertTrue(partitions > 0, "the Deployment documents the input's partitions (clstream.dev/input-partitions)");
        assertTrue(replicas >= 1 && replicas <= partitions, "replicas " + replicas + " must be 1.." + partitions
                + ": instances beyond the input's partitions sit idle");
        JsonNode rolling = deployment.path("spec").path("strategy").path("rollingUpdate");
        assertEquals(0, rolling.path("maxSurge").asInt(-1), "no surge pod: never more instances than replicas");

        assertFalse(container.path("image").asText().isEmpty(), "container image");
        JsonNode http = single(container.path("ports"), "ports");
        assertEquals(port, http.path("containerPort").asInt(), "containerPort = the app's http.port");
        String portName = http.path("name").asText();

        assertProbe(container, "startupProbe", OpsRoutes.LIVE, portName);
        assertProbe(container, "livenessProbe", OpsRoutes.LIVE, portName);
        assertProbe(container, "readinessProbe", OpsRoutes.READY, portName);

        JsonNode scrape = pod.path("metadata").path("annotations");
        assertEquals("true", scrape.path("prometheus.io/scrape").asText());
        assertEquals(Integer.toString(port), scrape.path("prometheus.io/port").asText(), "scrape port = http.port");
        assertEquals(OpsRoutes.METRICS, scrape.path("prometheus.io/path").asText());

        for (String kind : List.of("requests", "limits")) {
            for (String resource : List.of("cpu", "memory")) {
                assertFalse(container.path("resources").path(kind).path(resource).asText().isEmpty(),
                        "resources." + kind + "." + resource);
            }
        }

        JsonNode podSecurity = pod.path("spec").path("securityContext");
        assertTrue(podSecurity.path("runAsNonRoot").asBoolean(), "runAsNonRoot");
        assertEquals(DeployConfigIT.imageUid(), podSecurity.path("runAsUser").asInt(),
                "runAsUser = the image's clstream user (ARG UID in deploy/Dockerfile)");
        JsonNode containerSecurity = container.path("securityContext");
        assertEquals(false, containerSecurity.path("allowPrivilegeEscalation").asBoolean(true));

        // The README promises a read-only root; it needs writable mounts wherever the app writes: state.dir and the
        // temporary directory.
        assertTrue(containerSecurity.path("readOnlyRootFilesystem").asBoolean(), "readOnlyRootFilesystem: true");
        Set<String> writable = new TreeSet<>();
        Set<String> emptyDirs = new TreeSet<>();
        pod.path("spec").path("volumes").forEach(v -> {
            if (v.has("emptyDir")) {
                emptyDirs.add(v.path("name").asText());
            }
        });
        container.path("volumeMounts").forEach(m -> {
            if (emptyDirs.contains(m.path("name").asText()) && !m.path("readOnly").asBoolean()) {
                writable.add(m.path("mountPath").asText());
            }
        });
        String stateDir = config.streamsProperties().getProperty("state.dir");
        assertTrue(writable.stream().anyMatch(w -> stateDir.startsWith(w + "/")),
                "state.dir " + stateDir + " is not under a writable mount " + writable);
        assertTrue(writable.contains("/tmp"), "ONNX Runtime extracts its native library to /tmp: " + writable);
    }

    @Test
    void serviceBudgetAndSecretPointAtTheDeployment() throws IOException {
        JsonNode deployment = one("Deployment");
        JsonNode podLabels = podLabels(deployment);
        JsonNode container = container(deployment);
        JsonNode service = one("Service");
        assertSelects(service.path("spec").path("selector"), podLabels, "Service");
        assertSelects(one("PodDisruptionBudget").path("spec").path("selector").path("matchLabels"), podLabels, "PDB");
        assertSelects(deployment.path("spec").path("selector").path("matchLabels"), podLabels, "Deployment selector");
        String portName = single(container.path("ports"), "ports").path("name").asText();
        assertEquals(portName, single(service.path("spec").path("ports"), "Service ports").path("targetPort").asText());

        String secret = one("Secret").path("metadata").path("name").asText();
        assertTrue(container.path("envFrom").findValuesAsText("name").contains(secret),
                "the container takes its environment from Secret " + secret);
    }

    /**
     * The NetworkPolicy admits only the scraper, on the HTTP port only, to exactly the app's pods: /info and the live
     * page are not for whoever reaches a pod. (The kubelet's probes come from the node, which a policy always admits.)
     */
    @Test
    void networkPolicyAdmitsOnlyTheScraperOnTheHttpPort() throws IOException {
        JsonNode deployment = one("Deployment");
        JsonNode podLabels = podLabels(deployment);
        JsonNode container = container(deployment);
        JsonNode policy = one("NetworkPolicy").path("spec");
        assertSelects(policy.path("podSelector").path("matchLabels"), podLabels, "NetworkPolicy");
        assertEquals("[\"Ingress\"]", policy.path("policyTypes").toString(), "it restricts ingress");
        JsonNode rule = single(policy.path("ingress"), "ingress rules");
        JsonNode from = single(rule.path("from"), "ingress sources");
        assertTrue(from.path("podSelector").path("matchLabels").size() > 0, "a source selects pods, not everyone: "
                + from);
        assertTrue(from.path("ipBlock").isMissingNode(), "no address ranges: " + from);
        JsonNode port = single(rule.path("ports"), "ports");
        assertEquals(single(container.path("ports"), "ports").path("name").asText(), port.path("port").asText(),
                "only the HTTP port");
    }

    /**
     * The configuration as the container sees it: the ConfigMap file CLSTREAM_CONFIG names (found through the
     * volume mounted at its directory), then the container's CLSTREAM_* variables, merged as the app merges them.
     */
    private static Map<String, String> mountedConfig(JsonNode pod, JsonNode container) throws IOException {
        Map<String, String> env = new HashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        Path file = Path.of(env.getOrDefault("CLSTREAM_CONFIG", ""));
        assertFalse(file.toString().isEmpty(), "CLSTREAM_CONFIG names the mounted configuration file");
        JsonNode mount = null;
        for (JsonNode m : container.path("volumeMounts")) {
            if (m.path("mountPath").asText().equals(file.getParent().toString())) {
                mount = m;
            }
        }
        assertNotNull(mount, "no volume is mounted at " + file.getParent());
        String volumeName = mount.path("name").asText();
        String configMapName = null;
        for (JsonNode v : pod.path("spec").path("volumes")) {
            if (v.path("name").asText().equals(volumeName)) {
                configMapName = v.path("configMap").path("name").asText(null);
            }
        }
        JsonNode configMap = one("ConfigMap");
        assertEquals(configMap.path("metadata").path("name").asText(), configMapName, "volume " + volumeName);
        String properties = configMap.path("data").path(file.getFileName().toString()).asText(null);
        assertNotNull(properties, "ConfigMap has no key " + file.getFileName());
        Path copy = Files.createTempFile(ItSupport.workDir(), "clstream-", ".properties");
        Files.writeString(copy, properties);
        // The Secret is empty by default; its variables would be merged here as env.
        return ConfigSources.merge(copy, env, Map.of());
    }

    private static JsonNode podLabels(JsonNode deployment) {
        return deployment.path("spec").path("template").path("metadata").path("labels");
    }

    private static JsonNode container(JsonNode deployment) {
        return single(deployment.path("spec").path("template").path("spec").path("containers"), "containers");
    }

    private static void assertProbe(JsonNode container, String probe, String path, String portName) {
        JsonNode get = container.path(probe).path("httpGet");
        assertEquals(path, get.path("path").asText(), probe + " path");
        assertEquals(portName, get.path("port").asText(), probe + " port");
    }

    private static void assertSelects(JsonNode selector, JsonNode labels, String what) {
        assertTrue(selector.size() > 0, what + " has an empty selector");
        selector.fields().forEachRemaining(e -> assertEquals(e.getValue().asText(), labels.path(e.getKey()).asText(),
                what + " selects " + e.getKey() + "=" + e.getValue().asText() + " but the pods have " + labels));
    }

    private static JsonNode single(JsonNode array, String what) {
        assertEquals(1, array.size(), "exactly one of " + what + ": " + array);
        return array.get(0);
    }

    private static JsonNode one(String kind) throws IOException {
        List<JsonNode> found = documents().stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
        assertEquals(1, found.size(), "one " + kind + " in " + DIR);
        return found.get(0);
    }

    /** Every document of every resource kustomization.yaml lists (all the .yaml files there, which it checks). */
    static List<JsonNode> documents() throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        JsonNode kustomization = yaml.readTree(DIR.resolve("kustomization.yaml").toFile());
        Set<String> listed = new TreeSet<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        Set<String> present = new TreeSet<>();
        try (Stream<Path> files = Files.list(DIR)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .filter(n -> !n.equals("kustomization.yaml")).forEach(present::add);
        }
        assertEquals(present, listed, "kustomization.yaml's resources must be every manifest in " + DIR);
        List<JsonNode> docs = new ArrayList<>();
        for (String file : listed) {
            try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class).readValues(DIR.resolve(file).toFile())) {
                while (it.hasNext()) {
                    JsonNode d = it.next();
                    if (d != null && !d.isNull() && !d.isMissingNode()) {
                        docs.add(d);
                    }
                }
            }
        }
        return docs;
    }
}
