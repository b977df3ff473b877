# syntax=docker/dockerfile:1
# Sluice container image: `docker build -t sluice:0.1.0 .` from the repository root.

# --- build: the shaded jar, tests skipped (CI runs them) ---
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The cache mount keeps downloaded dependencies between builds without baking them into a layer.
RUN --mount=type=cache,target=/root/.m2 mvn -B -q package -DskipTests

# --- runtime: JRE only, unprivileged ---
FROM eclipse-temurin:17-jre

# A fixed numeric UID lets Kubernetes' runAsNonRoot verify the user without reading /etc/passwd.
RUN groupadd --system --gid 10001 sluice \
 && useradd --system --uid 10001 --gid sluice --no-create-home --home-dir /opt/sluice --shell /usr/sbin/nologin sluice \
 && mkdir -p /opt/sluice /etc/sluice /var/lib/sluice/certs \
 && chown sluice:sluice /var/lib/sluice/certs \
 && chmod 700 /var/lib/sluice/certs

WORKDIR /opt/sluice
COPY --from=build /src/proxy-server/target/sluice.jar /opt/sluice/sluice.jar
COPY config/sluice.yaml /etc/sluice/sluice.yaml

# Heap is capped well below the container limit: Netty's direct buffers (capped at the heap size by default)
# and the JVM's own memory need the rest. Exit on OOM so the orchestrator restarts a clean process.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError"

USER 10001:10001
EXPOSE 3128 9090
VOLUME ["/etc/sluice", "/var/lib/sluice/certs"]

# The check speaks HTTP through bash's /dev/tcp: it needs neither curl nor wget in the base image, nor a JVM start.
# It expects the admin listener on port 9090 (the shipped config's `admin:`); change both together.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9090 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ $status == 'HTTP/1.1 200 '* ]]"]

# SIGTERM drains (timeouts.drain) and exits 0; the exec form makes the JVM PID 1, so it gets the signal itself.
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-jar", "sluice.jar", "run", "--config", "/etc/sluice/sluice.yaml"]
