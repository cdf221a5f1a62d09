package dev.tern.webtests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * connect-web in Chromium against a Tern port, from another origin: gRPC-Web and Connect, each
 * with a unary call, metadata both ways, 100 streamed messages, an error with a google.rpc
 * detail, a deadline, a cancellation, and Connect's GET.
 */
@ResourceLock(BrowserRun.CHROMIUM)
class TernBrowserTest {
  @Test
  void connectWebInChromiumPassesEveryCheckAgainstTern() throws Exception {
    BrowserRun.requireTools();
    try (StaticSite site = StaticSite.start(); TernWebServer server = TernWebServer.start(site.origin())) {
      BrowserRun.runAndAssert(site, server.url());
      server.assertDeadlineAndCancellationEndedTheCalls(); // gRPC-Web's
      server.assertDeadlineAndCancellationEndedTheCalls(); // Connect's
    }
  }
}
