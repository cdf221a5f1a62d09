package dev.tern.webtests;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * connect-node's own server for the test service (src/test/js/reference-server.mjs), the control
 * the client scripts are proven against: one port for HTTP/1.1, one for cleartext HTTP/2. It
 * stops when its standard input closes. Started and closed by one test class.
 */
final class ReferenceServer implements AutoCloseable {
  private final Process process;
  private final CompletableFuture<String> stderr;
  private final int http1Port;
  private final int http2Port;

  private ReferenceServer(Process process, CompletableFuture<String> stderr, JsonObject ports) {
    this.process = process;
    this.stderr = stderr;
    this.http1Port = ports.get("http1").getAsInt();
    this.http2Port = ports.get("http2").getAsInt();
  }

  static ReferenceServer start() throws Exception {
    ExternalTools.requireNodeClients();
    Process process = new ProcessBuilder(List.of(ExternalTools.node().toString(),
        ExternalTools.scripts().resolve("reference-server.mjs").toString(),
        NodeScript.generatedDir()))
        .directory(ExternalTools.scripts().toFile())
        .start();
    CompletableFuture<String> stderr = NodeScript.readAll(process.getErrorStream());
    BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    String line;
    try {
      line = firstLine.get(NodeScript.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      NodeScript.stop(process);
      throw new AssertionError("the reference server did not start: " + stderr.getNow(""), e);
    }
    if (line == null) {
      NodeScript.stop(process);
      throw new AssertionError("the reference server exited: "
          + stderr.get(10, TimeUnit.SECONDS));
    }
    return new ReferenceServer(process, stderr, JsonParser.parseString(line).getAsJsonObject());
  }

  /** http://127.0.0.1:PORT of the HTTP/1.1 listener. */
  String http1Url() {
    return "http://127.0.0.1:" + http1Port;
  }

  /** http://127.0.0.1:PORT of the cleartext HTTP/2 (prior knowledge) listener. */
  String http2Url() {
    return "http://127.0.0.1:" + http2Port;
  }

  @Override
  public void close() throws Exception {
    process.getOutputStream().close();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      NodeScript.stop(process);
      throw new AssertionError("the reference server did not stop: " + stderr.getNow(""));
    }
  }
}
