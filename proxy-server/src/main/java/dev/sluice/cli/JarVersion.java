package dev.sluice.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the jar manifest's Implementation-Version, which Maven sets from the project version. */
final class JarVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {
                "sluice " + (version != null ? version : "(development build)"),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
        };
    }
}
