package dev.sluice.testing;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran (or since the last class ended).
 * Registered for every test through {@code META-INF/services} and JUnit's extension auto-detection, which
 * surefire enables along with the PARANOID leak detector.
 */
public final class LeakDetectionExtension implements AfterAllCallback {
    static {
        // Loaded by JUnit before any test class initialises, so before Netty builds its detectors.
        LeakRecorder.install();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        LeakRecorder.forceDetection();
        List<String> leaks = LeakRecorder.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty leak report(s) during or before "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
        }
    }
}
