package dev.tern.webtests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.rpc.ErrorInfo;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Connect protocol from curl, as a user types it (docs/web-clients.md): unary JSON with POST,
 * GET for a NO_SIDE_EFFECTS method, and the JSON error body. Stateless.
 */
final class CurlCalls {
  static final String SERVICE = "/tern.webtest.v1.WebTestService/";

  private CurlCalls() {}

  /** A POST of a JSON request, as docs/web-clients.md shows it. */
  static void unaryJson(String baseUrl) throws Exception {
    Response response = curl("-H", "content-type: application/json", "-d", "{\"name\":\"curl\"}",
        baseUrl + SERVICE + "Greet");
    assertEquals(200, response.status, response::toString);
    assertEquals(JsonParser.parseString("{\"greeting\":\"Hello, curl!\"}"),
        JsonParser.parseString(response.body), response::toString);
  }

  /** A Connect GET: the request in the query, for a method marked NO_SIDE_EFFECTS. */
  static void get(String baseUrl) throws Exception {
    String message = URLEncoder.encode("{\"name\":\"get\"}", StandardCharsets.UTF_8);
    Response response = curl(baseUrl + SERVICE + "Lookup?connect=v1&encoding=json&message="
        + message);
    assertEquals(200, response.status, response::toString);
    assertEquals(JsonParser.parseString("{\"greeting\":\"Hello, get!\"}"),
        JsonParser.parseString(response.body), response::toString);
  }

  /**
   * An error: HTTP 400 for invalid_argument (the Connect spec's mapping) and the JSON error body,
   * its google.rpc.ErrorInfo detail as type and base64 value.
   */
  static void errorWithDetails(String baseUrl) throws Exception {
    Response response = curl("-H", "content-type: application/json", "-d", "{\"name\":\"eve\"}",
        baseUrl + SERVICE + "Fail");
    assertEquals(400, response.status, response::toString);
    JsonObject error = JsonParser.parseString(response.body).getAsJsonObject();
    assertEquals("invalid_argument", error.get("code").getAsString(), response::toString);
    assertEquals("bad name: eve", error.get("message").getAsString(), response::toString);
    JsonObject detail = error.getAsJsonArray("details").get(0).getAsJsonObject();
    assertEquals("google.rpc.ErrorInfo", detail.get("type").getAsString(), response::toString);
    // The spec allows unpadded base64; Java's decoder accepts both.
    ErrorInfo info = ErrorInfo.parseFrom(Base64.getDecoder().decode(
        detail.get("value").getAsString()));
    assertEquals(ErrorInfo.newBuilder().setReason("BAD_NAME")
        .setDomain(WebTestServiceImpl.ERROR_DOMAIN).putMetadata("name", "eve").build(), info);
  }

  /** The HTTP status and body curl got. */
  record Response(int status, String body, String stderr) {}

  /** Runs curl (silent, errors shown, status on the last line) with {@code args}. */
  static Response curl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(ExternalTools.curl().toString(),
        "-sS", "--max-time", "30", "-w", "\n%{http_code}"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).start();
    process.getOutputStream().close();
    CompletableFuture<String> stdout = NodeScript.readAll(process.getInputStream());
    CompletableFuture<String> stderr = NodeScript.readAll(process.getErrorStream());
    try {
      if (!process.waitFor(NodeScript.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError(command + " did not finish");
      }
      String out = stdout.get(10, TimeUnit.SECONDS);
      int lastLine = out.lastIndexOf('\n');
      return new Response(Integer.parseInt(out.substring(lastLine + 1).strip()),
          out.substring(0, Math.max(lastLine, 0)), stderr.get(10, TimeUnit.SECONDS));
    } finally {
      process.destroyForcibly();
    }
  }
}
