package dev.tern.junit;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.ForwardingClientCall;
import dev.tern.ForwardingClientCallListener;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the calls a test's channel started and whose listener has not heard {@code onClose}:
 * an interceptor on the channel the extension hands out. A call leaves the count before its
 * listener hears the close, so a test that waited for the end of its calls sees none open.
 *
 * <p>Thread-safe.
 */
final class OpenCalls implements ClientInterceptor {
  private final Map<Object, String> open = new ConcurrentHashMap<>();

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    return new ForwardingClientCall.SimpleForwardingClientCall<>(
        next.newCall(method, callOptions)) {
      @Override
      public void start(Listener<RespT> listener, Metadata headers) {
        Object token = new Object();
        open.put(token, method.getFullMethodName());
        try {
          super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
              listener) {
            @Override
            public void onClose(Status status, Metadata trailers) {
              open.remove(token);
              super.onClose(status, trailers);
            }
          }, headers);
        } catch (RuntimeException | Error e) {
          open.remove(token);
          throw e;
        }
      }
    };
  }

  /** The full method names of the calls still open. */
  List<String> methods() {
    return new ArrayList<>(open.values());
  }
}
