package dev.tern.auth;

import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.Status;

/** Ends a call from an interceptor before it reaches the next one. Stateless and thread-safe. */
final class Rejection {
  private Rejection() {}

  /** Closes {@code call} with {@code status} and returns a listener that ignores everything. */
  static <ReqT, RespT> ServerCall.Listener<ReqT> reject(
      ServerCall<ReqT, RespT> call, Status status) {
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
