package dev.sluice.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import okhttp3.OkHttpClient;

/**
 * OkHttp clients for one test's server, shut down together. None retries on its own, so a failure the server
 * causes shows, and each waits up to {@link SluiceFixture#PATIENCE} for a read or write.
 */
public final class OkHttpClients implements AutoCloseable {
    private final List<OkHttpClient> clients = new CopyOnWriteArrayList<>();

    /** A new client, with {@code settings} (a proxy, protocols) applied to the common ones. */
    public OkHttpClient create(UnaryOperator<OkHttpClient.Builder> settings) {
        OkHttpClient client = settings.apply(new OkHttpClient.Builder()
                .retryOnConnectionFailure(false)
                .readTimeout(SluiceFixture.PATIENCE)
                .writeTimeout(SluiceFixture.PATIENCE))
                .build();
        clients.add(client);
        return client;
    }

    @Override
    public void close() {
        for (OkHttpClient client : clients) {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }
}
