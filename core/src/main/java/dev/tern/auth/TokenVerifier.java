package dev.tern.auth;

/**
 * Checks a bearer token and names its holder; plugged into {@link BearerTokenInterceptor}.
 * Implementations are thread-safe: one verifier serves every call. It runs on the server's
 * callback executor; one that blocks (fetching keys) must not be used with a direct executor.
 */
@FunctionalInterface
public interface TokenVerifier {
  /**
   * The principal the token stands for. Reject a token by returning null or throwing: a
   * {@link dev.tern.StatusException} or {@link dev.tern.StatusRuntimeException} is sent as is
   * (say UNAVAILABLE when a key server is down); any other exception, and null, become
   * UNAUTHENTICATED with a generic message (the detail is logged at DEBUG, never sent).
   */
  Principal verify(String token) throws Exception;
}
