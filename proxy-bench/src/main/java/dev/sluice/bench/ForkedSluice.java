package dev.sluice.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sluice started as its own JVM ({@code java -jar sluice.jar run}), so its JIT, GC and threads do not share a
 * process with the bench's origin and client. Its output goes to a log file, whose end is quoted when it fails to
 * start.
 */
final class ForkedSluice implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final int LOG_TAIL = 4000;
    private static final String LOG_FILE = "sluice.log";
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient ADMIN_CLIENT = HttpClient.newBuilder().connectTimeout(ADMIN_TIMEOUT).build();

    private final Process process;
    private final InetSocketAddress proxy;
    private final InetSocketAddress admin;
    private final Path directory;

    private ForkedSluice(Process process, InetSocketAddress proxy, InetSocketAddress admin, Path directory) {
        this.process = process;
        this.proxy = proxy;
        this.admin = admin;
        this.directory = directory;
    }

    /** Writes the files Sluice will need into its fresh working directory; returns the config text. */
    interface ConfigWriter {
        String write(Path directory) throws IOException;
    }

    /** Starts {@code jar} with {@code config}, its listeners moved to free loopback ports, and waits until it accepts. */
    static ForkedSluice start(Path jar, String config, List<String> jvmOptions) throws IOException, InterruptedException {
        return start(jar, directory -> config, jvmOptions);
    }

    /**
     * Like {@link #start(Path, String, List)} for a config that names files (a CA, trust anchors): {@code config}
     * writes them into the directory that is removed again on {@link #close}.
     */
    static ForkedSluice start(Path jar, ConfigWriter config, List<String> jvmOptions)
            throws IOException, InterruptedException {
        Path directory = Files.createTempDirectory("sluice-bench");
        Path log = directory.resolve(LOG_FILE);
        // Free ports picked here may in theory be taken before Sluice binds them; the start then fails loudly.
        InetSocketAddress proxy;
        InetSocketAddress admin;
        Process process;
        try {
            Path configFile = Files.writeString(directory.resolve("sluice.yaml"), config.write(directory));
            proxy = new InetSocketAddress("127.0.0.1", freePort());
            admin = new InetSocketAddress("127.0.0.1", freePort());
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar.toString(), "run", "--config", configFile.toString(),
                    "--listen", "127.0.0.1:" + proxy.getPort(), "--admin", "127.0.0.1:" + admin.getPort()));
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException | RuntimeException e) {
            deleteTree(directory);
            throw e;
        }
        ForkedSluice sluice = new ForkedSluice(process, proxy, admin, directory);
        try {
            sluice.awaitListening(log);
        } catch (IOException | RuntimeException e) {
            sluice.close();
            throw e;
        }
        return sluice;
    }

    InetSocketAddress proxyAddress() {
        return proxy;
    }

    /** Sluice's working directory: its config, its log, and what the config writer put there. */
    Path directory() {
        return directory;
    }

    long pid() {
        return process.pid();
    }

    /** CPU time the Sluice process has used so far, all its threads, user and system. */
    Duration cpuTime() throws IOException {
        return process.toHandle().info().totalCpuDuration()
                .orElseThrow(() -> new IOException("the OS does not tell Sluice's CPU time"));
    }

    /** The admin listener's {@code /metrics} text. */
    String scrapeMetrics() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + "/metrics"))
                .timeout(ADMIN_TIMEOUT).build();
        HttpResponse<String> response = ADMIN_CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) throw new IOException("/metrics answered " + response.statusCode());
        return response.body();
    }

    /**
     * Asks Sluice's JVM for a full collection with {@code jcmd <pid> GC.run}, so that memory figures compare live
     * data rather than garbage; false (and no collection) when the JDK has no jcmd or the attach fails.
     */
    boolean collectGarbage() throws InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) return false;
        try {
            Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!gc.waitFor(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                gc.destroyForcibly();
                return false;
            }
            return gc.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private void awaitListening(Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("Sluice exited with " + process.exitValue() + " before listening; it said:\n" + tail(log));
            }
            try (Socket probe = new Socket()) {
                probe.connect(proxy, 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IOException("Sluice did not listen on " + proxy + " within " + START_TIMEOUT + "; it said:\n" + tail(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** SIGTERM (Sluice drains), then a kill if it has not stopped within 10 s; removes the temp files. */
    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteTree(directory);
    }

    private static void deleteTree(Path directory) throws IOException {
        try (var files = Files.walk(directory)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Everything Sluice has written to its output so far. */
    String output() throws IOException {
        return Files.readString(directory.resolve(LOG_FILE));
    }

    /** The end of Sluice's output, for a failure message: the directory holding it is removed on close. */
    private static String tail(Path log) throws IOException {
        String text = Files.readString(log);
        return text.length() <= LOG_TAIL ? text : "…" + text.substring(text.length() - LOG_TAIL);
    }
}
