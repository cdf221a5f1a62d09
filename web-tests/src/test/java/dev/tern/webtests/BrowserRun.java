package dev.tern.webtests;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;

/**
 * One run of the browser page (src/test/web) in Chromium through browser-run.mjs: connect-web's
 * gRPC-Web and Connect transports, from the origin of a {@link StaticSite}, against a server.
 */
final class BrowserRun {
  private BrowserRun() {}

  /** Loads the page against {@code serverUrl} and asserts both transports' checks. */
  static void runAndAssert(String serverUrl) throws Exception {
    String chromium = ExternalTools.chromium().toString();
    ExternalTools.requireNodeClients();
    JsonObject results;
    try (StaticSite site = StaticSite.start()) {
      results = NodeScript.run("browser-run.mjs", site.pageUrl(serverUrl), chromium);
    }
    assertFalse(results.has("pageError"), () -> "the page failed: " + results.get("pageError"));
    SuiteExpectations.assertChecks("gRPC-Web from Chromium to " + serverUrl,
        results.getAsJsonObject("grpcWeb"), SuiteExpectations.EVERY_PROTOCOL);
    SuiteExpectations.assertChecks("Connect from Chromium to " + serverUrl,
        results.getAsJsonObject("connect"),
        SuiteExpectations.everyProtocolAnd("get", SuiteExpectations.BROWSER_GET));
  }
}
