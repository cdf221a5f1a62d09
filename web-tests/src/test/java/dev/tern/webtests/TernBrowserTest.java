package dev.tern.webtests;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * connect-web in Chromium against a Tern port, from another origin: gRPC-Web and Connect, each
 * with a unary call, metadata both ways, 100 streamed messages, an error with a google.rpc
 * detail, a deadline, and Connect's GET.
 */
class TernBrowserTest {
  @Test
  @Disabled(TernNodeClientsTest.WEB_PROTOCOLS_PENDING + "; and CORS for the page's origin")
  void connectWebInChromiumPassesEveryCheckAgainstTern() throws Exception {
    try (TernWebServer server = TernWebServer.start()) {
      BrowserRun.runAndAssert(server.url());
    }
  }
}
