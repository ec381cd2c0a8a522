package dev.clstream.secrets;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** Logback's {@code %msg} with secrets masked ({@link Secrets#mask}): logback.xml maps {@code %msg} to it. */
public final class MaskedMessageConverter extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return Secrets.mask(super.convert(event));
    }
}
