package dev.clstream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clstream.config.ClstreamConfig;
import dev.clstream.runtime.ClstreamRuntime;
import dev.clstream.testing.KafkaTestCluster;
import dev.clstream.testing.RequiredTools;
import dev.clstream.testing.TestBundles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live page at {@code /} in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * driven by Selenium), while events flow through an app on the shared KRaft cluster: the page must show non-zero
 * throughput, the labels the app is writing to the labels topic, a low-confidence event with its text, and a dead
 * letter with its reason. An event whose text is markup must show as text and add nothing to the page. Saves a
 * screenshot as {@code target/live-page.png}.
 */
@ExtendWith(KafkaTestCluster.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LivePageIT {
    static final String MARKUP_TEXT = "<img id=\"injected\" src=\"x\" onerror=\"document.title='pwned'\"> hello";
    static final Duration PAGE_WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void pageShowsTheTrafficFlowingThroughTheApp() throws Exception {
        String install = "install the Debian packages 'chromium' and 'chromium-driver' (.ci/run installs them)";
        Path chromium = RequiredTools.require("chromium", install);
        Path chromedriver = RequiredTools.require("chromedriver", install);
        ItSupport.Topics topics = ItSupport.createAppTopics("live", 2);
        String input = topics.input();
        String labels = topics.labels();
        String bootstrap = KafkaTestCluster.bootstrapServers();

        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        try (ClstreamRuntime app = ClstreamRuntime.start(config(topics));
             OutputCollector outputs = new OutputCollector(bootstrap, labels);
             KafkaProducer<byte[], byte[]> producer = ItSupport.producer(bootstrap)) {
            assertTrue(app.awaitRunning(Duration.ofSeconds(120)), "Streams did not reach RUNNING");
            producer.send(new ProducerRecord<>(input, "bad".getBytes(StandardCharsets.UTF_8),
                    "{not json".getBytes(StandardCharsets.UTF_8)));
            // Traffic for as long as the page is open: the page's rates are over the last seconds. Every tenth
            // text is markup, so that one is always among the latest low-confidence events.
            Thread traffic = new Thread(() -> {
                while (producing.get()) {
                    int i = sent.incrementAndGet();
                    producer.send(json(input, "evt-" + i, i % 10 == 0 ? MARKUP_TEXT : ItSupport.text(i)));
                    ItSupport.sleep(20);
                }
            }, "live-page-traffic");
            traffic.setDaemon(true);
            traffic.start();
            WebDriver browser = null;
            try {
                browser = chromium(chromium, chromedriver);
                browser.get(app.httpUrl().orElseThrow() + "/");
                WebDriverWait wait = new WebDriverWait(browser, PAGE_WAIT, Duration.ofMillis(250));

                wait.withMessage("non-zero throughput in and out").until(b -> rate(b, "rate-in") > 0
                        && rate(b, "rate-out") > 0);

                Set<String> written = labelsWritten(outputs, labels);
                assertFalse(written.isEmpty(), "the app wrote no labels");
                wait.withMessage(() -> "the label mix lists the labels written to the labels topic " + written)
                        .until(b -> labelsShown(b).keySet().containsAll(written));
                assertTrue(TestBundles.TINY_LABELS.containsAll(labelsShown(browser).keySet()), "labels shown: "
                        + labelsShown(browser));

                wait.withMessage("the dead letter for the bad record, with its reason").until(b -> rows(b, "dead-recent")
                        .stream().anyMatch(r -> r.get(1).equals("invalid_json") && r.get(2).equals("decode")));
                wait.withMessage("the dead letters by reason").until(b -> rows(b, "dead-reasons")
                        .contains(List.of("invalid_json", "1")));

                // live.low.confidence.threshold=1 lists every event.
                wait.withMessage("low-confidence events with id, label, score and text").until(b -> rows(b,
                        "low-confidence").stream().anyMatch(LivePageIT::isOurEvent));
                wait.withMessage("the markup text shown as text").until(b -> rows(b, "low-confidence").stream()
                        .anyMatch(r -> r.get(4).equals(MARKUP_TEXT)));
                assertTrue(browser.findElements(By.id("injected")).isEmpty(), "an event's text became an element");

                assertEquals("model tiny@1.0.0", browser.findElement(By.id("model")).getText());
                wait.withMessage("the shadow model's agreement: none, since its head is the serving one negated")
                        .until(b -> b.findElement(By.id("shadow")).isDisplayed()
                                && b.findElement(By.id("shadow-model")).getText().equals("tiny@9.0.0")
                                && b.findElement(By.id("shadow-agreement")).getText().equals("0.0 %"));
                wait.withMessage("the confusion table: a row per serving label").until(b -> {
                    List<List<String>> rows = rows(b, "shadow-confusion");
                    return !rows.isEmpty() && rows.stream().allMatch(r -> TestBundles.TINY_LABELS.contains(r.get(0)));
                });
                assertEquals("clstream live", browser.getTitle(), "an event's text ran script");

                Path shot = ItSupport.workDir().getParent().resolve("live-page.png");
                Files.copy(((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath(), shot,
                        StandardCopyOption.REPLACE_EXISTING);
                System.out.println("live page screenshot: " + shot.toAbsolutePath());
            } finally {
                // The traffic stops whatever happened, before the producer it writes with is closed.
                producing.set(false);
                if (browser != null) {
                    browser.quit();
                }
                traffic.join(5_000);
            }
        }
    }

    /** A low-confidence row: [time, id, top label, score, text]. */
    private static boolean isOurEvent(List<String> row) {
        return row.size() == 5 && row.get(1).startsWith("evt-") && TestBundles.TINY_LABELS.contains(row.get(2))
                && Double.parseDouble(row.get(3)) < 1.0 && !row.get(4).isBlank();
    }

    private static WebDriver chromium(Path chromium, Path chromedriver) {
        // The driver and browser are named outright, so Selenium Manager never looks for (or downloads) either.
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, chromedriver.toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        // no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,2000", "--lang=en-US");
        return new ChromeDriver(service, options);
    }

    private static double rate(WebDriver b, String id) {
        String t = b.findElement(By.id(id)).getText().replace(",", "");
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            return 0; // "–" until the first complete seconds are in
        }
    }

    /** The label mix table: each label with a non-zero count, and its count. */
    private static Map<String, Long> labelsShown(WebDriver b) {
        Map<String, Long> out = new HashMap<>();
        for (List<String> row : rows(b, "label-mix")) {
            long n = Long.parseLong(row.get(1).replace(",", ""));
            if (n > 0) {
                out.put(row.get(0), n);
            }
        }
        return out;
    }

    /**
     * A table's rows as the page shows them now, each as its cells' text: read in one script, since the page redraws
     * its tables every second and an element found a moment before may be gone.
     */
    @SuppressWarnings("unchecked")
    private static List<List<String>> rows(WebDriver b, String tableId) {
        return (List<List<String>>) ((JavascriptExecutor) b).executeScript("return Array.from("
                + "document.querySelectorAll('#' + arguments[0] + ' tbody tr'), r => Array.from(r.cells, c => c.textContent))",
                tableId);
    }

    /** The top labels in the labels topic so far (output.format=json), waiting for at least a few records. */
    private static Set<String> labelsWritten(OutputCollector outputs, String topic) throws IOException {
        ItSupport.awaitOrFail(60_000, () -> outputs.count(topic) >= 20, () -> "labeled events: " + outputs.count(topic));
        ObjectMapper json = new ObjectMapper();
        Set<String> out = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : outputs.records(topic)) {
            JsonNode n = json.readTree(r.value());
            out.add(n.get("label").asText());
        }
        return out;
    }

    private static ProducerRecord<byte[], byte[]> json(String topic, String id, String text) {
        String value;
        try {
            value = new ObjectMapper().writeValueAsString(Map.of("id", id, "text", text));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    private ClstreamConfig config(ItSupport.Topics topics) {
        Map<String, String> s = ItSupport.jsonAppSettings(topics, "live-app", dir.resolve("state"));
        s.put(ClstreamConfig.LABEL_STATS_ENABLED, "false");
        s.put(ClstreamConfig.LIVE_LOW_CONFIDENCE_THRESHOLD, "1");
        // On a real cluster texts are hidden unless asked for; this test follows texts (and markup) onto the page.
        s.put(ClstreamConfig.LIVE_SHOW_TEXTS, "true");
        s.put(ClstreamConfig.MODEL_BUNDLE, TestBundles.tinyVersion(dir.resolve("tiny"), "1.0.0", false).directory()
                .toString());
        // A shadow whose head is the serving one's negated: it disagrees on every event, so the page must say 0 %.
        s.put(ClstreamConfig.MODEL_SHADOW_BUNDLE, TestBundles.tinyVersion(dir.resolve("shadow"), "9.0.0", true)
                .directory().toString());
        s.put(ClstreamConfig.MODEL_SHADOW_SAMPLE_RATE, "1");
        return ClstreamConfig.of(s);
    }
}
