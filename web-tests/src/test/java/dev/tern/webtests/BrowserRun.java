package dev.tern.webtests;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;

/**
 * One run of the browser page (src/test/web) in Chromium through browser-run.mjs: connect-web's
 * gRPC-Web and Connect transports, from the origin of a {@link StaticSite}, against a server.
 */
final class BrowserRun {
  /** One Chromium at a time: two at once only slow each other down on a small machine. */
  static final String CHROMIUM = "chromium";

  private BrowserRun() {}

  /** Checks that Chromium, Node and the npm packages are there before a server starts. */
  static void requireTools() {
    ExternalTools.chromium();
    ExternalTools.requireNodeClients();
  }

  /** Loads {@code site}'s page against {@code serverUrl} and asserts both transports' checks. */
  static void runAndAssert(StaticSite site, String serverUrl) throws Exception {
    JsonObject results = NodeScript.run("browser-run.mjs", site.pageUrl(serverUrl),
        ExternalTools.chromium().toString());
    assertFalse(results.has("pageError"), () -> "the page failed: " + results.get("pageError"));
    SuiteExpectations.assertChecks("gRPC-Web from Chromium to " + serverUrl,
        results.getAsJsonObject("grpcWeb"), SuiteExpectations.EVERY_PROTOCOL);
    SuiteExpectations.assertChecks("Connect from Chromium to " + serverUrl,
        results.getAsJsonObject("connect"),
        SuiteExpectations.everyProtocolAnd("get", SuiteExpectations.BROWSER_GET));
  }
}
