package dev.tern.interceptors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.Status;
import org.junit.jupiter.api.Test;

class LoggingInterceptorTest {
  @Test
  void lineIsLogfmtWithQuotedMessageForFailures() {
    String line = LoggingInterceptor.line("a.B/C", "127.0.0.1:5000", "alice",
        Status.NOT_FOUND.withDescription("no \"x\" here\n"), 1_234_567, 10, 20);
    assertEquals("rpc method=a.B/C peer=127.0.0.1:5000 principal=alice status=NOT_FOUND"
        + " duration_ms=1.235 bytes_in=10 bytes_out=20 message=\"no \\\"x\\\" here\\n\"", line);
  }

  @Test
  void successHasNoMessageAndUnknownSizesAreMinusOne() {
    String line = LoggingInterceptor.line("a.B/C", "-", "-", Status.OK.withDescription("fine"),
        0, -1, -1);
    assertEquals("rpc method=a.B/C peer=- principal=- status=OK duration_ms=0.000"
        + " bytes_in=-1 bytes_out=-1", line);
  }
}
