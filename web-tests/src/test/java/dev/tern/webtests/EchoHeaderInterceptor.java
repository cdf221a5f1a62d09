package dev.tern.webtests;

import dev.tern.ForwardingServerCall;
import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;

/**
 * Copies the request header {@code x-tern-echo} into the response headers: the clients check
 * that custom metadata travels both ways (and, from a browser, that CORS lets it through).
 * Stateless and thread-safe.
 */
final class EchoHeaderInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> ECHO = Metadata.Key.ascii("x-tern-echo");

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String echo = headers.get(ECHO);
    if (echo == null) {
      return next.startCall(call, headers);
    }
    return next.startCall(new ForwardingServerCall<ReqT, RespT>() {
      @Override
      protected ServerCall<ReqT, RespT> delegate() {
        return call;
      }

      @Override
      public void sendHeaders(Metadata responseHeaders) {
        responseHeaders.put(ECHO, echo);
        super.sendHeaders(responseHeaders);
      }
    }, headers);
  }
}
