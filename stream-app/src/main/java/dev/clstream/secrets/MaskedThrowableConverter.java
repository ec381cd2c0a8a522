package dev.clstream.secrets;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * Logback's stack traces with secrets masked ({@link Secrets#mask}): an exception's message may quote
 * the setting it failed on. logback.xml ends its pattern with it, so logback adds no unmasked one.
 */
public final class MaskedThrowableConverter extends ThrowableProxyConverter {
    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return Secrets.mask(super.throwableProxyToString(proxy));
    }
}
