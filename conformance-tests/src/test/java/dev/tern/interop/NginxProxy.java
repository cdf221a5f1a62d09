package dev.tern.interop;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's nginx as a child process, proxying gRPC ({@code grpc_pass}, h2c on 127.0.0.1) to an
 * upstream of servers over kept-alive connections, with its config, logs and temp files in a
 * temp directory of its own. Not thread-safe: a test's fixture.
 */
final class NginxProxy implements AutoCloseable {
  private static final Path NGINX = Path.of("/usr/sbin/nginx");
  /** nginx logs this, and answers 502, when an upstream frame names a stream it has closed. */
  static final String UNKNOWN_STREAM = "unknown stream";

  private final Path dir;
  private final Process process;
  private final int port;

  private NginxProxy(Path dir, Process process, int port) {
    this.dir = dir;
    this.process = process;
    this.port = port;
  }

  /**
   * Skips the calling test when nginx is missing, except under CI=true, where a missing nginx
   * fails it (CI installs it).
   */
  static void assumeInstalled() {
    if (Files.isExecutable(NGINX)) {
      return;
    }
    String message = NGINX + " not found: the tests behind a real L7 proxy need the nginx"
        + " package (README, Requirements; .ci/run installs it)";
    if ("true".equals(System.getenv("CI"))) {
      fail(message);
    }
    assumeTrue(false, message);
  }

  /** Starts nginx in front of {@code upstreamPorts}; returns once it accepts connections. */
  static NginxProxy start(int... upstreamPorts) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("tern-nginx");
    int port = freePort();
    Files.writeString(dir.resolve("nginx.conf"), config(dir, port, upstreamPorts));
    Process process = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(),
        "-c", dir.resolve("nginx.conf").toString(), "-e", dir.resolve("error.log").toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("stdout.log").toFile())
        .start();
    NginxProxy nginx = new NginxProxy(dir, process, port);
    try {
      nginx.awaitListening();
    } catch (IOException | RuntimeException e) {
      nginx.close();
      throw e;
    }
    return nginx;
  }

  private static String config(Path dir, int port, int... upstreamPorts) {
    StringBuilder servers = new StringBuilder();
    for (int p : upstreamPorts) {
      servers.append("    server 127.0.0.1:").append(p).append(";\n");
    }
    // One process in the foreground, everything it writes under dir. Syntax of nginx 1.22:
    // "listen ... http2" (the "http2" directive came in 1.25.1).
    return """
        daemon off;
        master_process off;
        worker_processes 1;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log info;
        events { worker_connections 512; }
        http {
          access_log off;
          client_body_temp_path %1$s/client_body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          # gRPC messages of any size: a 10 MiB request is no 413.
          client_max_body_size 0;
          upstream tern {
        %2$s    keepalive 16;
          }
          server {
            listen 127.0.0.1:%3$d http2;
            location / {
              grpc_pass grpc://tern;
              grpc_read_timeout 120s;
              grpc_send_timeout 120s;
            }
          }
        }
        """.formatted(dir, servers, port);
  }

  private void awaitListening() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      if (!process.isAlive()) {
        throw new IOException("nginx exited with " + process.exitValue() + ": " + output());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IOException("nginx is not listening on " + port + ": " + output(), notYet);
        }
        // The exit of the process is the other signal we wait for.
        process.waitFor(20, TimeUnit.MILLISECONDS);
      }
    }
  }

  int port() {
    return port;
  }

  /** nginx's error log so far. */
  String errorLog() {
    return read(dir.resolve("error.log"));
  }

  /** The error log's lines that contain {@code text}. */
  List<String> errorLogLines(String text) {
    return errorLog().lines().filter(l -> l.contains(text)).toList();
  }

  private String output() {
    return read(dir.resolve("stdout.log")) + read(dir.resolve("error.log"));
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    // SIGTERM: nginx's fast shutdown; then the temp directory goes.
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
