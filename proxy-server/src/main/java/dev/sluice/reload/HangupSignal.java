package dev.sluice.reload;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGHUP, the conventional "reload your configuration" signal. {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}) is the JDK's only way to catch it; kept in this one class.
 */
final class HangupSignal {
    private static final Logger log = LoggerFactory.getLogger(HangupSignal.class);

    private HangupSignal() {
    }

    /**
     * Runs {@code onHangup} (on the JVM's signal thread: it must only hand the work over) on every SIGHUP.
     *
     * @return false where the platform has no SIGHUP (Windows) or the JVM keeps it ({@code -Xrs})
     */
    static boolean handle(Runnable onHangup) {
        try {
            Signal.handle(new Signal("HUP"), signal -> onHangup.run());
            return true;
        } catch (IllegalArgumentException e) {
            log.warn("SIGHUP cannot be caught here ({}); reload by editing the config file instead", e.getMessage());
            return false;
        }
    }
}
