package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes {@link ServiceConfig#parse}: any text is a valid config or an IllegalArgumentException
 * whose message names where the problem is, never another exception. Seeds in
 * ServiceConfigFuzzTestInputs.
 */
// No @Timeout here: replaying the seeds gets the build's 120 s per invocation; fuzzing
// (JAZZER_FUZZ=1) gets the root pom's fuzzing profile's 30 minutes (branch build-tests).
class ServiceConfigFuzzTest {
  @FuzzTest
  void parsesOrRejectsWithAPath(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    ServiceConfig config;
    try {
      config = ServiceConfig.parse(text);
    } catch (IllegalArgumentException rejected) {
      String m = rejected.getMessage();
      assertTrue(m != null && (m.startsWith("service config is not valid JSON: ")
          || m.matches("(?s)[A-Za-z][^:]*: .+")), m);
      return;
    }
    for (ServiceConfig.MethodConfig mc : config.methodConfigs()) {
      assertNotNull(config.methodConfig(mc.names().get(0).service() + "/"
          + mc.names().get(0).method()));
    }
  }
}
