package dev.clstream.config;

import dev.clstream.bundle.ModelBundle;
import dev.clstream.bundle.TextStrategy;
import dev.clstream.format.InputFormat;
import dev.clstream.format.OutputFormat;
import dev.clstream.inference.EncoderOptions;
import dev.clstream.inference.ExecutionProvider;
import dev.clstream.serde.RegistrySettings;
import dev.clstream.secrets.Secrets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

/**
 * clstream's one configuration object: its own keys, typed and checked, plus the Kafka Streams,
 * client and Schema Registry keys it passes through. Built once at start-up from the merged
 * sources ({@link ConfigSources}); any unknown key or bad value fails there, naming the key and
 * what is allowed.
 *
 * <p>Every key the code reads is defined here (the registry's keys are Confluent's, defined by
 * {@link RegistrySettings} and included, as Kafka's StreamsConfig includes its clients' keys), and
 * the parts of the app take what they need as small typed records: {@link #registry()},
 * {@link #encoderOptions()}, {@link #microBatch()}, {@link #http()}, {@link #live()}.
 */
public final class ClstreamConfig extends AbstractConfig {

    public static final String INPUT_TOPIC = "input.topic";
    public static final String LABELS_TOPIC = "labels.topic";
    public static final String EMBEDDINGS_TOPIC = "embeddings.topic";
    public static final String DEAD_LETTER_TOPIC = "dead.letter.topic";
    public static final String LABELS_ENABLED = "labels.enabled";
    public static final String EMBEDDINGS_ENABLED = "embeddings.enabled";
    public static final String LABEL_STATS_TOPIC = "label.stats.topic";
    public static final String LABEL_STATS_ENABLED = "label.stats.enabled";
    public static final String TOPICS_CREATE = "topics.create";
    public static final String INPUT_FORMAT = "input.format";
    public static final String OUTPUT_FORMAT = "output.format";
    public static final String TEXT_MAX_BYTES = "text.max.bytes";
    public static final String BATCH_MAX_SIZE = "batch.max.size";
    public static final String BATCH_MAX_TOKENS = "batch.max.tokens";
    public static final String BATCH_MAX_WAIT_MS = "batch.max.wait.ms";
    public static final String BATCH_MAX_INFERENCE_MS = "batch.max.inference.ms";
    public static final String BATCH_MAX_BYTES = "batch.max.bytes";
    public static final String MODEL_BUNDLE = "model.bundle";
    public static final String MODEL_VERIFY = "model.verify";
    public static final String INFERENCE_PROVIDER = "inference.provider";
    public static final String INFERENCE_THREADS = "inference.threads";
    public static final String INFERENCE_CONCURRENCY = "inference.concurrency";
    public static final String INFERENCE_BATCH_SIZE = "inference.batch.size";
    public static final String TEXT_MAX_CHUNKS = "text.max.chunks";
    public static final String INFERENCE_OPTIMIZATION = "inference.optimization";
    public static final String INFERENCE_CACHE_MAX_BYTES = "inference.cache.max.bytes";
    public static final String MODEL_RELOAD_INTERVAL_MS = "model.reload.interval.ms";
    public static final String MODEL_SHADOW_BUNDLE = "model.shadow.bundle";
    public static final String MODEL_SHADOW_SAMPLE_RATE = "model.shadow.sample.rate";
    public static final String SHADOW_TOPIC = "shadow.topic";
    public static final String HTTP_ENABLED = "http.enabled";
    public static final String HTTP_BIND_ADDRESS = "http.bind.address";
    public static final String HTTP_PORT = "http.port";
    public static final String LIVE_LOW_CONFIDENCE_THRESHOLD = "live.low.confidence.threshold";
    public static final String LIVE_SHOW_TEXTS = "live.show.texts";
    public static final String HTTP_AUTH_TOKEN = "http.auth.token";
    public static final String HEALTH_MAX_THREAD_REPLACEMENTS = "health.max.thread.replacements";
    public static final String HEALTH_THREAD_REPLACEMENT_WINDOW_MS = "health.thread.replacement.window.ms";

    /** Serde keys, named as Confluent's serdes name them so existing client configs carry over. */
    public static final String SCHEMA_REGISTRY_URL = RegistrySettings.SCHEMA_REGISTRY_URL;
    public static final String AUTO_REGISTER_SCHEMAS = RegistrySettings.AUTO_REGISTER_SCHEMAS;
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = RegistrySettings.BASIC_AUTH_CREDENTIALS_SOURCE;
    public static final String BASIC_AUTH_USER_INFO = RegistrySettings.BASIC_AUTH_USER_INFO;
    public static final String SR_TRUSTSTORE_LOCATION = RegistrySettings.SSL_TRUSTSTORE_LOCATION;
    public static final String SR_TRUSTSTORE_PASSWORD = RegistrySettings.SSL_TRUSTSTORE_PASSWORD;
    public static final String SR_TRUSTSTORE_TYPE = RegistrySettings.SSL_TRUSTSTORE_TYPE;
    public static final String SR_CONNECT_TIMEOUT_MS = RegistrySettings.CONNECT_TIMEOUT_MS;
    public static final String SR_READ_TIMEOUT_MS = RegistrySettings.READ_TIMEOUT_MS;

    public static final String DEFAULT_APPLICATION_ID = "clstream";
    /** Kafka's producer default for {@code max.request.size}. */
    static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

    static final ConfigDef DEFINITION = new ConfigDef(RegistrySettings.DEFINITION)
            .define(INPUT_TOPIC, Type.STRING, "clstream-input", ConfigValidators.topicName(), Importance.HIGH,
                    "Topic the text events are read from.")
            .define(LABELS_TOPIC, Type.STRING, "clstream-labels", ConfigValidators.topicName(), Importance.HIGH,
                    "Topic labeled events are written to.")
            .define(EMBEDDINGS_TOPIC, Type.STRING, "clstream-embeddings", ConfigValidators.topicName(), Importance.HIGH,
                    "Topic [CLS] embedding events are written to.")
            .define(DEAD_LETTER_TOPIC, Type.STRING, "clstream-dead-letters", ConfigValidators.topicName(), Importance.HIGH,
                    "Topic records that cannot be processed are written to, with the reason and original bytes.")
            .define(LABEL_STATS_TOPIC, Type.STRING, "clstream-label-stats", ConfigValidators.topicName(), Importance.MEDIUM,
                    "Topic per-minute label counts and mean confidence are written to (JSON).")
            .define(LABELS_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM, "Write labeled events.")
            .define(TOPICS_CREATE, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Against a real cluster, create the app's missing topics at start-up (as 'clstream topics create' "
                            + "does) instead of failing.")
            .define(LABEL_STATS_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Write label statistics; they count the labeled events, so only when labels are written.")
            .define(EMBEDDINGS_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM, "Write [CLS] embedding events.")
            .define(INPUT_FORMAT, Type.STRING, InputFormat.AVRO.code(),
                    ValidString.in(InputFormat.codes().toArray(String[]::new)), Importance.HIGH,
                    "Input value format: avro (Confluent wire format, Schema Registry), json ({\"id\", \"text\", ...}) "
                            + "or text (the value is the text, UTF-8).")
            .define(OUTPUT_FORMAT, Type.STRING, OutputFormat.AVRO.code(),
                    ValidString.in(OutputFormat.codes().toArray(String[]::new)), Importance.HIGH,
                    "Output value format for labels, embeddings and dead letters: avro or json.")
            .define(TEXT_MAX_BYTES, Type.INT, 1 << 20, Range.between(1, 64 << 20), Importance.MEDIUM,
                    "Texts longer than this many UTF-8 bytes go to the dead-letter topic (reason text_too_large).")
            .define(BATCH_MAX_SIZE, Type.INT, 32, Range.between(1, 1 << 16), Importance.MEDIUM,
                    "A micro-batch is sent to the encoder once it holds this many events.")
            .define(BATCH_MAX_TOKENS, Type.INT, 4096, Range.between(1, 1 << 24), Importance.MEDIUM,
                    "... or once its events hold this many tokens together.")
            .define(BATCH_MAX_INFERENCE_MS, Type.LONG, 3_000L, Range.between(10, 600_000), Importance.MEDIUM,
                    "A flush sends only as many waiting events through the encoder as its measured cost lets finish "
                            + "within this, since it runs inside the open transaction.")
            .define(BATCH_MAX_BYTES, Type.LONG, null, ConfigValidators.nullOr(Range.between(1024, Long.MAX_VALUE)),
                    Importance.MEDIUM, "... or once the records waiting in a task hold this many bytes (default: "
                            + "heap / 32, at least 1 MiB).")
            .define(BATCH_MAX_WAIT_MS, Type.LONG, 50L, Range.between(1, 60_000), Importance.MEDIUM,
                    "... or once its oldest event has waited this long (wall clock).")
            .define(MODEL_BUNDLE, Type.STRING, "", Importance.HIGH,
                    "Model bundle directory, built-in bundle name, or model repository (a directory of versions, "
                            + "<dir>/<version>/bundle.json, the highest serving); empty means the default bundle.")
            .define(MODEL_RELOAD_INTERVAL_MS, Type.LONG, 10_000L, Range.atLeast(0), Importance.MEDIUM,
                    "When model.bundle is a model repository (<dir>/<version>/bundle.json), look for a new highest "
                            + "version this often, check it in the background and swap it in between micro-batches; "
                            + "0 turns polling off.")
            .define(MODEL_SHADOW_BUNDLE, Type.STRING, "", Importance.MEDIUM,
                    "A candidate model (bundle directory, built-in name or model repository) run beside the serving "
                            + "one on a sample of events, after their outputs are written, to measure how often it "
                            + "agrees; it never writes labels. Empty: none.")
            .define(MODEL_SHADOW_SAMPLE_RATE, Type.DOUBLE, 0.1, Range.between(0, 1), Importance.MEDIUM,
                    "The share of events (chosen by event id) the shadow model runs on.")
            .define(SHADOW_TOPIC, Type.STRING, "", ConfigValidators.emptyOr(ConfigValidators.topicName()),
                    Importance.MEDIUM, "Topic each shadow result is written to (JSON, with the serving model's "
                            + "label), for offline analysis; empty: none.")
            .define(MODEL_VERIFY, Type.BOOLEAN, true, Importance.MEDIUM,
                    "At start-up, run the bundle's parity.json (when it has one) through the engine and refuse to "
                            + "start when the outputs are outside its tolerance.")
            .define(INFERENCE_PROVIDER, Type.STRING, "cpu", ConfigValidators.providerValidator(), Importance.MEDIUM,
                    "Execution provider: cpu, cuda or cuda:<device>.")
            .define(INFERENCE_THREADS, Type.INT, null, ConfigValidators.nullOr(Range.between(1, 1024)), Importance.LOW,
                    "ONNX Runtime intra-op threads per encoder run (default: cores / concurrency).")
            .define(INFERENCE_CONCURRENCY, Type.INT, null, ConfigValidators.nullOr(Range.between(1, 1024)), Importance.LOW,
                    "Encoder runs at once (default: cores on cpu, 1 on cuda).")
            .define(INFERENCE_BATCH_SIZE, Type.INT, null, ConfigValidators.nullOr(Range.between(1, 1 << 16)), Importance.LOW,
                    "Max texts per encoder run inside a micro-batch, which is split by length (default 1 cpu, 256 cuda).")
            .define(TEXT_MAX_CHUNKS, Type.INT, null, ConfigValidators.nullOr(Range.between(1,
                            TextStrategy.MAX_CHUNKS_LIMIT)), Importance.LOW,
                    "For a bundle that reads long texts in chunks (bundle.json text.strategy chunks): read at most this "
                            + "many windows of a text, fewer than the bundle's max_chunks to bound the cost of long "
                            + "texts (default: the bundle's max_chunks).")
            .define(INFERENCE_OPTIMIZATION, Type.STRING, "all", ValidString.in("none", "basic", "extended", "all"),
                    Importance.LOW, "ONNX Runtime graph optimisation level.")
            .define(INFERENCE_CACHE_MAX_BYTES, Type.LONG, null, ConfigValidators.nullOr(Range.atLeast(0)),
                    Importance.MEDIUM, "Keep the results of recently seen texts (same token ids, compared in full) "
                            + "for the model version serving, up to about this many bytes, least recently used "
                            + "out; a repeat skips the encoder and gets bit-identical outputs. 0 turns it off "
                            + "(default: heap / 16, at most 64 MiB).")
            .define(HTTP_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Serve /metrics, /health/live, /health/ready and /info over HTTP.")
            .define(HTTP_BIND_ADDRESS, Type.STRING, "", ConfigValidators.bindAddress(), Importance.MEDIUM,
                    "Address the HTTP endpoint listens on; empty means 0.0.0.0, or 127.0.0.1 in embedded mode.")
            .define(HTTP_PORT, Type.INT, 8080, Range.between(0, 65535), Importance.MEDIUM,
                    "Port of the HTTP endpoint; 0 picks a free one.")
            .define(HTTP_AUTH_TOKEN, Type.PASSWORD, null, Importance.MEDIUM,
                    "A token that /info, /api/live and the live page require (Authorization: Bearer TOKEN, or HTTP "
                            + "basic auth with any user and the token as password, as a browser asks for it); "
                            + "/health/* and /metrics stay open. Unset: no token.")
            .define(HEALTH_MAX_THREAD_REPLACEMENTS, Type.INT, 5, Range.between(1, 1000), Importance.LOW,
                    "Liveness fails once this many stream threads failed and were replaced within "
                            + "health.thread.replacement.window.ms: a crash loop that a restart may end.")
            .define(HEALTH_THREAD_REPLACEMENT_WINDOW_MS, Type.LONG, 600_000L, Range.between(1_000, 86_400_000),
                    Importance.LOW, "The window of health.max.thread.replacements.")
            .define(LIVE_LOW_CONFIDENCE_THRESHOLD, Type.DOUBLE, 0.7, Range.between(0, 1), Importance.LOW,
                    "The live page lists the latest events whose top label scored below this.")
            .define(LIVE_SHOW_TEXTS, Type.STRING, "", ValidString.in("", "true", "false"), Importance.MEDIUM,
                    "Whether the live page (and /api/live) shows the first 200 characters of low-confidence events' "
                            + "texts and of dead letters' messages; empty means true in embedded mode, false otherwise.");

    private final Map<String, String> passThrough;

    /** A copy of clstream's own keys, as Kafka's {@code ProducerConfig.configDef()} gives its own. */
    public static ConfigDef configDef() {
        return new ConfigDef(DEFINITION);
    }

    private ClstreamConfig(Map<String, String> clstream, Map<String, String> passThrough) {
        super(DEFINITION, clstream, false);
        this.passThrough = Collections.unmodifiableMap(new TreeMap<>(passThrough));
    }

    /**
     * Checks and types {@code merged}: clstream keys are parsed and validated, Kafka keys pass
     * through, anything else fails with a {@link ConfigException} naming the key.
     */
    public static ClstreamConfig of(Map<String, String> merged) {
        // First, so that no message about these settings, from here or from a client, can print a secret.
        merged.forEach(Secrets::remember);
        Map<String, String> own = new TreeMap<>();
        Map<String, String> kafka = new TreeMap<>();
        for (Map.Entry<String, String> e : merged.entrySet()) {
            String key = e.getKey();
            if (DEFINITION.names().contains(key)) {
                own.put(key, e.getValue());
            } else if (KafkaKeys.isKafkaKey(key)) {
                kafka.put(key, e.getValue());
            } else {
                throw new ConfigException("unknown configuration key '" + key + "'. clstream keys are "
                        + new TreeSet<>(DEFINITION.names()) + "; Kafka Streams, producer, consumer and admin "
                        + "keys (and their producer./consumer./admin./topic. prefixed forms) pass through to Kafka.");
            }
        }
        ClstreamConfig c = new ClstreamConfig(own, kafka);
        c.checkCombinations();
        return c;
    }

    private void checkCombinations() {
        if (!getBoolean(LABELS_ENABLED) && !getBoolean(EMBEDDINGS_ENABLED)) {
            throw new ConfigException(LABELS_ENABLED + " and " + EMBEDDINGS_ENABLED
                    + " are both false: clstream would produce nothing; enable at least one");
        }
        String guarantee = passThrough.getOrDefault(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                StreamsConfig.EXACTLY_ONCE_V2);
        if (!guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2) && !guarantee.equals(StreamsConfig.AT_LEAST_ONCE)) {
            throw new ConfigException(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee,
                    "allowed values: " + StreamsConfig.EXACTLY_ONCE_V2 + " (default), " + StreamsConfig.AT_LEAST_ONCE);
        }
        if (exactlyOnce()) {
            TransactionBudget.check(passThrough, getLong(BATCH_MAX_INFERENCE_MS), BATCH_MAX_INFERENCE_MS);
        }
        if (!shadowTopic().isEmpty() && shadowBundle().isEmpty()) {
            throw new ConfigException(SHADOW_TOPIC, shadowTopic(), "shadow results need a shadow model: set "
                    + MODEL_SHADOW_BUNDLE + " too, or leave " + SHADOW_TOPIC + " empty");
        }
        if (needsRegistry() && !registry().hasUrl() && hasBootstrapServers()) {
            throw new ConfigException(SCHEMA_REGISTRY_URL + " is required when " + INPUT_FORMAT + " or "
                    + OUTPUT_FORMAT + " is avro (use mock://<scope> for an in-JVM registry)");
        }
    }

    public boolean hasBootstrapServers() {
        String b = bootstrapServers();
        return b != null && !b.isBlank();
    }

    /** The Kafka cluster ({@code bootstrap.servers}); null in embedded mode before the broker is started. */
    public String bootstrapServers() {
        return passThrough.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
    }

    /** The same configuration with these keys replaced (e.g. the embedded broker's address). */
    public ClstreamConfig with(Map<String, String> overrides) {
        Map<String, String> all = new TreeMap<>(originalsStrings());
        all.putAll(passThrough);
        all.putAll(overrides);
        return of(all);
    }

    public String inputTopic() {
        return getString(INPUT_TOPIC);
    }

    public String labelsTopic() {
        return getString(LABELS_TOPIC);
    }

    public String embeddingsTopic() {
        return getString(EMBEDDINGS_TOPIC);
    }

    public String deadLetterTopic() {
        return getString(DEAD_LETTER_TOPIC);
    }

    public boolean labelsEnabled() {
        return getBoolean(LABELS_ENABLED);
    }

    public boolean embeddingsEnabled() {
        return getBoolean(EMBEDDINGS_ENABLED);
    }

    public String labelStatsTopic() {
        return getString(LABEL_STATS_TOPIC);
    }

    /** Whether Kafka Streams runs with {@code processing.guarantee=exactly_once_v2} (the default). */
    public boolean exactlyOnce() {
        return passThrough.getOrDefault(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .equals(StreamsConfig.EXACTLY_ONCE_V2);
    }

    public boolean topicsCreate() {
        return getBoolean(TOPICS_CREATE);
    }

    /** {@code application.id}: the Kafka Streams application, its consumer group and the prefix of its internal topics. */
    public String applicationId() {
        return streamsProperties().getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
    }

    /** Label statistics count the labeled events written, so they need labels written as well. */
    public boolean labelStatsEnabled() {
        return getBoolean(LABEL_STATS_ENABLED) && getBoolean(LABELS_ENABLED);
    }

    public InputFormat inputFormat() {
        return InputFormat.of(getString(INPUT_FORMAT));
    }

    public OutputFormat outputFormat() {
        return OutputFormat.of(getString(OUTPUT_FORMAT));
    }

    /** Whether either format speaks Avro, and so needs the Schema Registry. */
    public boolean needsRegistry() {
        return inputFormat().needsRegistry() || outputFormat().needsRegistry();
    }

    public int textMaxBytes() {
        return getInt(TEXT_MAX_BYTES);
    }

    public MicroBatchSettings microBatch() {
        long budget = getLong(BATCH_MAX_INFERENCE_MS);
        Long bytes = getLong(BATCH_MAX_BYTES);
        return new MicroBatchSettings(getInt(BATCH_MAX_SIZE), getInt(BATCH_MAX_TOKENS), getLong(BATCH_MAX_WAIT_MS),
                budget, TransactionBudget.hardLimitMs(passThrough, budget, exactlyOnce()),
                bytes != null ? bytes : MemoryBudget.forThisJvm().pendingBytesPerTask());
    }

    public String modelBundle() {
        return getString(MODEL_BUNDLE);
    }

    public long modelReloadIntervalMs() {
        return getLong(MODEL_RELOAD_INTERVAL_MS);
    }

    /** The shadow model's bundle or repository; empty when there is none. */
    public String shadowBundle() {
        return getString(MODEL_SHADOW_BUNDLE);
    }

    public double shadowSampleRate() {
        return getDouble(MODEL_SHADOW_SAMPLE_RATE);
    }

    /** Where shadow results go; empty when nowhere. */
    public String shadowTopic() {
        return getString(SHADOW_TOPIC);
    }

    public boolean modelVerify() {
        return getBoolean(MODEL_VERIFY);
    }

    public HttpSettings http() {
        org.apache.kafka.common.config.types.Password token = getPassword(HTTP_AUTH_TOKEN);
        return new HttpSettings(getBoolean(HTTP_ENABLED), getString(HTTP_BIND_ADDRESS), getInt(HTTP_PORT),
                token == null ? null : token.value());
    }

    /** Liveness fails after this many stream-thread replacements within {@link #threadReplacementWindowMs()}. */
    public int maxThreadReplacements() {
        return getInt(HEALTH_MAX_THREAD_REPLACEMENTS);
    }

    public long threadReplacementWindowMs() {
        return getLong(HEALTH_THREAD_REPLACEMENT_WINDOW_MS);
    }

    public LiveSettings live() {
        String show = getString(LIVE_SHOW_TEXTS);
        return new LiveSettings(getDouble(LIVE_LOW_CONFIDENCE_THRESHOLD), show.isEmpty() ? null : Boolean.valueOf(show));
    }

    public RegistrySettings registry() {
        return RegistrySettings.from(this);
    }

    /**
     * The bundle as served: reading at most {@code text.max.chunks} windows of a text. Refused when the bundle does
     * not read in chunks, or was trained on fewer windows than asked for.
     */
    public ModelBundle servedBundle(ModelBundle bundle) {
        Integer limit = getInt(TEXT_MAX_CHUNKS);
        if (limit == null) {
            return bundle;
        }
        TextStrategy text = bundle.manifest().text();
        if (!text.chunked()) {
            throw new ConfigException(TEXT_MAX_CHUNKS, limit, "bundle " + bundle.manifest().id() + " reads texts by "
                    + "truncation (its first " + bundle.manifest().maxLength() + " tokens), not in chunks; leave "
                    + TEXT_MAX_CHUNKS + " unset for it");
        }
        if (limit > text.maxChunks()) {
            throw new ConfigException(TEXT_MAX_CHUNKS, limit, "bundle " + bundle.manifest().id() + " was trained on "
                    + "at most " + text.maxChunks() + " windows per text; allowed: 1 to " + text.maxChunks());
        }
        return bundle.withText(text.limitedTo(limit));
    }

    /** The encoder's options: the one place where they are built from configuration. */
    public EncoderOptions encoderOptions() {
        return EncoderOptions.builder()
                .provider(ExecutionProvider.parse(getString(INFERENCE_PROVIDER)))
                .optimization(EncoderOptions.parseOptimization(getString(INFERENCE_OPTIMIZATION)))
                .intraOpThreads(getInt(INFERENCE_THREADS))
                .concurrency(getInt(INFERENCE_CONCURRENCY))
                .maxTextsPerRun(getInt(INFERENCE_BATCH_SIZE))
                .optCacheMaxBytes(Objects.requireNonNullElseGet(getLong(INFERENCE_CACHE_MAX_BYTES),
                        () -> MemoryBudget.forThisJvm().inferenceCacheBytes()))
                .build();
    }

    /** Properties for KafkaStreams: clstream's defaults under everything passed through. */
    public Properties streamsProperties() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, DEFAULT_APPLICATION_ID);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        // Kafka 4.x warns until this opt-in to the behaviour that becomes the default in 5.0.
        p.put("processing.exception.handler.global.enabled", "true");
        MemoryBudget.forThisJvm().applyTo(p, passThrough);
        if (exactlyOnce() && TransactionBudget.transactionTimeoutSet(passThrough) == null) {
            p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                    Long.toString(TransactionBudget.transactionTimeoutMs(passThrough, getLong(BATCH_MAX_INFERENCE_MS))));
        }
        p.putAll(passThrough);
        return p;
    }

    /**
     * The producer's {@code max.request.size} ({@code producer.max.request.size} wins): the largest
     * record the app may write, against which it sizes every record before sending it.
     */
    public int maxRequestSize() {
        String key = StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        String value = passThrough.containsKey(key) ? passThrough.get(key)
                : passThrough.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (value == null) {
            return DEFAULT_MAX_REQUEST_SIZE;
        }
        try {
            int size = Integer.parseInt(value.trim());
            if (size > 0) {
                return size;
            }
        } catch (NumberFormatException e) {
            // fall through to the error naming the key
        }
        throw new ConfigException(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, value, "a positive number of bytes");
    }

    /**
     * Properties for a plain producer of this cluster ({@code produce}, the demo's feeder): the
     * pass-through keys a producer knows (security settings, say), with {@code producer.}-prefixed
     * ones winning.
     */
    public Properties producerProperties() {
        return KafkaKeys.clientProperties(passThrough, ProducerConfig.configNames(), StreamsConfig.PRODUCER_PREFIX);
    }

    /** Properties for an admin client of this cluster ({@code topics}, the start-up topic check), like {@link #producerProperties()}. */
    public Properties adminProperties() {
        return KafkaKeys.clientProperties(passThrough, AdminClientConfig.configNames(), StreamsConfig.ADMIN_CLIENT_PREFIX);
    }

    /** Properties for a plain consumer of this cluster ({@code tail}, the demo's reader), like {@link #producerProperties()}. */
    public Properties consumerProperties() {
        return KafkaKeys.clientProperties(passThrough, ConsumerConfig.configNames(), StreamsConfig.CONSUMER_PREFIX);
    }

    /** Every effective setting as {@link Secrets#display} shows it: for logs and the /info endpoint. */
    public Map<String, String> redacted() {
        Map<String, String> out = new TreeMap<>();
        values().forEach((k, v) -> out.put(k, v instanceof org.apache.kafka.common.config.types.Password
                ? Secrets.REDACTED : Secrets.display(k, String.valueOf(v))));
        passThrough.forEach((k, v) -> out.put(k, Secrets.display(k, v)));
        return out;
    }
}
