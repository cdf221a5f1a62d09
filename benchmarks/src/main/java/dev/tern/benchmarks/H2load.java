package dev.tern.benchmarks;

import com.google.protobuf.MessageLite;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs nghttp2's {@code h2load} against a server and reads its summary: as a gRPC client (HTTP/2,
 * {@code content-type: application/grpc}, {@code te: trailers}, a framed request body) or as an
 * HTTP/1.1 client ({@code --h1}). While it runs, the server's peak resident set size is sampled.
 */
final class H2load {
  /** What one h2load run reported, and the server's peak RSS while it ran. */
  record Result(long succeeded, long failed, double requestsPerSecond, long trafficBytes,
      long peakRssKib) {}

  private H2load() {}

  /** True when h2load is on the PATH. */
  static boolean available() {
    try {
      Process p = new ProcessBuilder("h2load", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Fails with a clear message when h2load is missing. */
  static void require() {
    if (!available()) {
      throw new IllegalStateException("h2load is not installed: the h2load scenarios need the"
          + " nghttp2-client package (README, Requirements; .ci/run installs it)");
    }
  }

  /** A request body file holding one gRPC length-prefixed message (gRPC PROTOCOL-HTTP2). */
  static Path grpcBody(MessageLite message) throws IOException {
    byte[] bytes = message.toByteArray();
    ByteBuffer frame = ByteBuffer.allocate(5 + bytes.length);
    frame.put((byte) 0).putInt(bytes.length).put(bytes);
    Path file = Files.createTempFile("h2load-grpc", ".bin");
    file.toFile().deleteOnExit();
    Files.write(file, frame.array());
    return file;
  }

  /** h2load's arguments for gRPC calls of {@code method} ("package.Service/Method"). */
  static List<String> grpc(int port, String method, Path body) {
    return List.of("-H", "content-type: application/grpc", "-H", "te: trailers",
        "-d", body.toString(), "http://127.0.0.1:" + port + "/" + method);
  }

  /**
   * Runs {@code h2load -c CONNECTIONS -m STREAMS -n REQUESTS ARGS...}, sampling the server's RSS
   * every few milliseconds.
   */
  static Result run(ServerProcess server, int connections, int streams, long requests,
      List<String> args) throws Exception {
    List<String> all = new ArrayList<>(List.of("-c", String.valueOf(connections),
        "-m", String.valueOf(streams), "-n", String.valueOf(requests)));
    all.addAll(args);
    return run(server, all);
  }

  /** Runs {@code h2load ARGS...}, sampling the server's RSS every few milliseconds. */
  static Result run(ServerProcess server, List<String> args) throws Exception {
    List<String> command = new ArrayList<>(List.of("h2load"));
    command.addAll(args);
    Process h2load = new ProcessBuilder(command).redirectErrorStream(true).start();
    long peak = server.rssKib();
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> {
      try {
        output.append(new String(h2load.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        output.append(e);
      }
    }, "h2load-output");
    reader.start();
    while (!h2load.waitFor(5, TimeUnit.MILLISECONDS)) {
      peak = Math.max(peak, server.rssKib());
    }
    reader.join();
    String out = output.toString();
    if (h2load.exitValue() != 0) {
      throw new IllegalStateException("h2load failed:\n" + out);
    }
    Matcher requestsLine = Pattern.compile(
        "requests: \\d+ total, \\d+ started, \\d+ done, (\\d+) succeeded, (\\d+) failed").matcher(out);
    Matcher rate = Pattern.compile("finished in [^,]+, ([0-9.]+) req/s").matcher(out);
    Matcher traffic = Pattern.compile("traffic: \\S+ \\((\\d+)\\) total").matcher(out);
    if (!requestsLine.find() || !rate.find() || !traffic.find()) {
      throw new IllegalStateException("unexpected h2load output:\n" + out);
    }
    return new Result(Long.parseLong(requestsLine.group(1)), Long.parseLong(requestsLine.group(2)),
        Double.parseDouble(rate.group(1)), Long.parseLong(traffic.group(1)), peak);
  }
}
