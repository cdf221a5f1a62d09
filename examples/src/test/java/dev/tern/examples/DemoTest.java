package dev.tern.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Keeps the README's demo working: it runs, succeeds, and prints both calls. */
class DemoTest {
  @Test
  void demoPrintsAUnaryExchangeAndAFailedCall() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    boolean ok = Demo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String output = bytes.toString(StandardCharsets.UTF_8);

    assertTrue(ok, output);
    assertTrue(output.contains("<- message   \"Hello, world!\""), output);
    assertTrue(output.contains("<- headers   x-request-id=demo-1"), output);
    assertTrue(output.contains("<- trailers  x-served-by=tern, x-trace-bin=0x0102fe"), output);
    assertTrue(output.contains(
        "INVALID_ARGUMENT: name must not be empty (100% of greetings need one ✓)"), output);
    assertTrue(output.contains("shut down cleanly"), output);
  }
}
