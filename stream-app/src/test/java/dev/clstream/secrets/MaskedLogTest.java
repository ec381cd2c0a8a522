package dev.clstream.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.status.Status;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The log's own converters mask remembered secrets in messages and in stack traces, and logback.xml uses them. */
class MaskedLogTest {
    static final String SECRET = "log-secret-7771";

    @AfterEach
    void forget() {
        Secrets.forgetAll();
    }

    @Test
    void messagesAndStackTracesAreMasked() {
        Secrets.remember("ssl.key.password", SECRET);
        LoggerContext context = new LoggerContext();
        Logger logger = context.getLogger("test");
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.WARN, "login failed with {}",
                new IllegalStateException("bad key " + SECRET, new RuntimeException("cause quotes " + SECRET)),
                new Object[] {SECRET});

        MaskedMessageConverter message = new MaskedMessageConverter();
        message.setContext(context);
        message.start();
        assertEquals("login failed with " + Secrets.REDACTED, message.convert(event));

        MaskedThrowableConverter trace = new MaskedThrowableConverter();
        trace.setContext(context);
        trace.start();
        String stack = trace.convert(event);
        assertTrue(stack.contains("IllegalStateException: bad key " + Secrets.REDACTED), stack);
        assertTrue(stack.contains("cause quotes " + Secrets.REDACTED), stack);
        assertFalse(stack.contains(SECRET), stack);
    }

    @Test
    void theAppsLogbackConfigurationUsesThem() throws IOException {
        String xml;
        try (InputStream in = MaskedLogTest.class.getResourceAsStream("/logback.xml")) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(xml.contains("conversionWord=\"msg\" class=\"" + MaskedMessageConverter.class.getName()), xml);
        assertTrue(xml.contains("conversionWord=\"maskedEx\" class=\"" + MaskedThrowableConverter.class.getName()),
                xml);
        assertTrue(xml.contains("%msg%n%maskedEx</pattern>"), "every pattern ends with the masked stack trace: " + xml);
    }

    /** Logback prints its whole configuration status on stderr, before the app's first line, when any is a warning. */
    @Test
    void theAppsLogbackConfigurationLoadsWithoutWarnings() throws Exception {
        LoggerContext context = new LoggerContext();
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(MaskedLogTest.class.getResource("/logback.xml"));
            List<String> warnings = context.getStatusManager().getCopyOfStatusList().stream()
                    .filter(s -> s.getEffectiveLevel() >= Status.WARN).map(Status::toString).toList();
            assertEquals(List.of(), warnings);
        } finally {
            context.stop();
        }
    }
}
