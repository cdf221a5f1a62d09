package dev.tern.webtests;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.function.Executable;

/**
 * What src/test/js/suite.js must observe, check by check, whichever client and server ran it
 * (the same values from the Node reference server and from Tern). Stateless.
 */
final class SuiteExpectations {
  /**
   * The checks every protocol runs: unary, metadata both ways, 100 streamed, details, deadline,
   * cancellation.
   */
  static final Map<String, String> EVERY_PROTOCOL = Map.of(
      "unary", "{\"greeting\":\"Hello, web!\"}",
      "metadata", "{\"echoed\":\"ping-42\"}",
      "serverStream", "{\"received\":100,\"inOrder\":true}",
      "errorDetails", "{\"code\":\"InvalidArgument\",\"message\":\"bad name: mallory\","
          + "\"details\":[{\"reason\":\"BAD_NAME\",\"domain\":\"" + WebTestServiceImpl.ERROR_DOMAIN
          + "\",\"metadata\":{\"name\":\"mallory\"}}]}",
      "deadline", "{\"code\":\"DeadlineExceeded\"}",
      "cancel", "{\"first\":\"Hello, cancelled!\",\"code\":\"Canceled\"}");

  /** Connect's GET for a NO_SIDE_EFFECTS method (Node cannot see the HTTP method it sent). */
  static final String GET = "{\"greeting\":\"Hello, get!\"}";

  /** The browser's GET, with the HTTP method its fetch really used. */
  static final String BROWSER_GET = "{\"greeting\":\"Hello, get!\",\"httpMethod\":\"GET\"}";

  /** A gzip-compressed request (Node only: connect-web cannot compress requests). */
  static final String GZIP = "{\"greeting\":\"Hello, gzip!\"}";

  static final String CLIENT_STREAM = "{\"greeting\":\"Hello, ada, grace, linus!\"}";

  static final String BIDI = "{\"greetings\":[\"Hello, one!\",\"Hello, two!\",\"Hello, three!\"]}";

  private SuiteExpectations() {}

  /** {@link #EVERY_PROTOCOL} plus {@code extra} (check name, expected JSON pairs). */
  static Map<String, String> everyProtocolAnd(String... extra) {
    Map<String, String> expected = new LinkedHashMap<>(EVERY_PROTOCOL);
    for (int i = 0; i < extra.length; i += 2) {
      expected.put(extra[i], extra[i + 1]);
    }
    return expected;
  }

  /** Asserts that {@code results} holds exactly the expected checks, each with its values. */
  static void assertChecks(String what, JsonObject results, Map<String, String> expected) {
    List<Executable> assertions = new ArrayList<>();
    assertions.add(() -> assertEquals(new TreeSet<>(expected.keySet()),
        new TreeSet<>(results.keySet()), what + ": the checks that ran"));
    expected.forEach((check, json) -> {
      JsonElement want = JsonParser.parseString(json);
      assertions.add(() -> assertEquals(want, results.get(check), what + ": " + check));
    });
    assertAll(what, assertions);
  }
}
