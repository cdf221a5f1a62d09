package dev.tern.webtests;

import org.junit.jupiter.api.Test;

/**
 * The control for the browser: connect-web in Chromium, from another origin, against
 * connect-node's own server (with CORS), in gRPC-Web and Connect modes.
 */
class ReferenceServerBrowserTest {
  @Test
  void connectWebInChromiumPassesEveryCheckAgainstTheReferenceServer() throws Exception {
    try (ReferenceServer server = ReferenceServer.start()) {
      BrowserRun.runAndAssert(server.http1Url());
    }
  }
}
