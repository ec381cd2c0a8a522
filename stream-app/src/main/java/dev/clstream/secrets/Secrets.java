package dev.clstream.secrets;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The one rule for what is secret, used by the log, {@code /info}, error messages and the live page.
 * A setting is secret when Kafka's own clients type its key as a password (read from their
 * ConfigDefs, so keys added by a new Kafka release are covered without a list here), or when its key
 * names a password, secret, token, credentials, JAAS configuration, key passphrase, user info or
 * private key; user info in a URL ({@code https://user:password@host}) is secret in any setting.
 *
 * <p>Shown settings are redacted by key ({@link #display}). The values themselves are also
 * {@linkplain #remember remembered} when the configuration is read, so that a value that turns up
 * elsewhere (a client's exception quoting a JAAS line, say) is masked in every log line and error
 * message ({@link #mask}).
 */
public final class Secrets {
    public static final String REDACTED = "[redacted]";
    /** Values shorter than this are not masked in free text: they would garble every line they occur in. */
    static final int MIN_MASKED_LENGTH = 4;

    /**
     * Whole dot-separated words of a key (so {@code batch.max.tokens} is no token): a password, secret, token,
     * credentials, JAAS configuration, passphrase, user info or private key.
     */
    private static final Pattern SECRET_NAME = Pattern.compile("(^|\\.)(password|passwd|secret|token|credentials|jaas"
            + "|passphrase|user\\.info|keystore\\.key|private\\.key|key\\.password)(\\.|$)");
    /**
     * Last words that name what a secret setting is about, not the secret: a credentials source, a client id, a file
     * location, a type, an endpoint URL (whose user info is still removed, as in any URL).
     */
    private static final Pattern NOT_A_SECRET = Pattern.compile("\\.(source|id|location|type|url|class|ms|enable)$");
    /** An option of a JAAS line, as in password="..." (its value is group 2). */
    private static final Pattern JAAS_OPTION = Pattern.compile("([A-Za-z_.]+)\\s*=\\s*\"([^\"]*)\"");
    /** user:password@ (or token@) right after a scheme, as in https://user:password@host/. */
    private static final Pattern URL_USER_INFO = Pattern.compile("(?<=://)[^/@\\s,\"']*@");
    private static final List<String> CLIENT_PREFIXES = List.of(StreamsConfig.PRODUCER_PREFIX,
            StreamsConfig.CONSUMER_PREFIX, StreamsConfig.MAIN_CONSUMER_PREFIX, StreamsConfig.RESTORE_CONSUMER_PREFIX,
            StreamsConfig.GLOBAL_CONSUMER_PREFIX, StreamsConfig.ADMIN_CLIENT_PREFIX, StreamsConfig.TOPIC_PREFIX);
    private static final Set<String> KAFKA_PASSWORDS = kafkaPasswordKeys();
    /** Longest first, so that a secret that contains another is replaced whole. */
    private static final Set<String> REMEMBERED = new ConcurrentSkipListSet<>(
            Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));

    private Secrets() {}

    /** Whether the setting {@code key} holds a secret (its value is never shown). */
    public static boolean isSecretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        for (String prefix : CLIENT_PREFIXES) {
            if (k.startsWith(prefix)) {
                k = k.substring(prefix.length());
                break;
            }
        }
        return KAFKA_PASSWORDS.contains(k) || SECRET_NAME.matcher(k).find() && !NOT_A_SECRET.matcher(k).find();
    }

    /** {@code value} as settings are shown: {@value #REDACTED} for a secret key, else without user info in URLs. */
    public static String display(String key, String value) {
        return value == null ? null : isSecretKey(key) ? REDACTED : redactUrl(value);
    }

    /** {@code text} with any user info after a URL scheme removed ({@code https://host/}). */
    public static String redactUrl(String text) {
        return text == null || !text.contains("://") ? text : URL_USER_INFO.matcher(text).replaceAll("");
    }

    /** Notes a setting's value for {@link #mask}: the whole value of a secret key, and user info in any URL. */
    public static void remember(String key, String value) {
        if (value == null) {
            return;
        }
        if (isSecretKey(key)) {
            add(value);
            // A login module's error may quote one option of the JAAS line, not the whole line.
            Matcher option = JAAS_OPTION.matcher(value);
            while (option.find()) {
                // Options are camelCase words (clientSecret), not dot-separated keys: a secret word anywhere counts.
                String name = option.group(1).toLowerCase(Locale.ROOT);
                if (SECRET_NAME.matcher(name).find() || name.matches(".*(password|secret|token).*")) {
                    add(option.group(2));
                }
            }
        }
        if (value.contains("://")) {
            Matcher m = URL_USER_INFO.matcher(value);
            while (m.find()) {
                String userInfo = m.group().substring(0, m.group().length() - 1);
                add(userInfo);
                int colon = userInfo.indexOf(':');
                if (colon >= 0) {
                    add(userInfo.substring(colon + 1));
                }
            }
        }
    }

    /** {@code text} with every remembered secret value, and user info in URLs, replaced by {@value #REDACTED}. */
    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        String out = redactUrl(text);
        for (String secret : REMEMBERED) {
            if (out.contains(secret)) {
                out = out.replace(secret, REDACTED);
            }
        }
        return out;
    }

    /** Forgets every remembered value (tests, which start several configurations in one JVM). */
    static void forgetAll() {
        REMEMBERED.clear();
    }

    private static void add(String value) {
        String v = value.strip();
        if (v.length() >= MIN_MASKED_LENGTH) {
            REMEMBERED.add(v);
        }
    }

    private static Set<String> kafkaPasswordKeys() {
        return Stream.of(ProducerConfig.configDef(), ConsumerConfig.configDef(), AdminClientConfig.configDef(),
                        StreamsConfig.configDef())
                .flatMap(def -> def.configKeys().values().stream())
                .filter(k -> k.type == ConfigDef.Type.PASSWORD).map(k -> k.name)
                .collect(Collectors.toUnmodifiableSet());
    }
}
