package dev.tern.webtests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The control for the browser: connect-web in Chromium, from another origin, against
 * connect-node's own server (with CORS), in gRPC-Web and Connect modes.
 */
@ResourceLock(BrowserRun.CHROMIUM)
class ReferenceServerBrowserTest {
  @Test
  void connectWebInChromiumPassesEveryCheckAgainstTheReferenceServer() throws Exception {
    BrowserRun.requireTools();
    try (StaticSite site = StaticSite.start(); ReferenceServer server = ReferenceServer.start()) {
      BrowserRun.runAndAssert(site, server.http1Url());
    }
  }
}
