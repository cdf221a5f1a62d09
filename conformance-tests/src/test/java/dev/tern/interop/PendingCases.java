package dev.tern.interop;

import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * Interop cases that wait on a transport feature another issue is adding. Each is skipped (not
 * hidden) with the reason, and comes back by deleting its line here.
 */
final class PendingCases {
  private static final String COMPRESSION =
      "gzip compression and the per-message compressed flag (issue 4, streaming)";
  private static final Map<String, String> TERN_SERVER = Map.of(
      "client_compressed_unary", COMPRESSION,
      "client_compressed_streaming", COMPRESSION,
      // A message larger than the stream window never completes: window credit comes back only
      // when a whole message is consumed (issue 4, flow control).
      "very_large_request", "flow control for messages larger than the stream window (issue 4)");
  private static final Map<String, String> TERN_CLIENT = Map.of(
      "client_compressed_unary", COMPRESSION,
      "client_compressed_streaming", COMPRESSION,
      "timeout_on_sleeping_server", "client deadlines (issue 5)");

  private PendingCases() {}

  /** Skips {@code testCase} when Tern's server cannot pass it yet. */
  static void assumeTernServerSupports(String testCase) {
    String why = TERN_SERVER.get(testCase);
    Assumptions.assumeTrue(why == null, () -> testCase + " pending on Tern's server: " + why);
  }

  /** Skips {@code testCase} when Tern's client cannot pass it yet. */
  static void assumeTernClientSupports(String testCase) {
    String why = TERN_CLIENT.get(testCase);
    Assumptions.assumeTrue(why == null, () -> testCase + " pending on Tern's client: " + why);
  }
}
