package dev.sluice.passthrough;

/** Why automatic passthrough splices a connection a rule would bump; its label names it in metrics and logs. */
public enum PassthroughReason {
    /** The origin asks for a client certificate, which only the client itself can present. */
    MTLS("mtls"),
    /** Clients of that network refuse Sluice's leaves for that server name (pinning, or a trust store without Sluice's CA). */
    PINNED("pinned");

    private final String label;

    PassthroughReason(String label) {
        this.label = label;
    }

    /** {@code mtls} or {@code pinned}: the metric label, the access log's {@code passthrough} field. */
    public String label() {
        return label;
    }
}
