package dev.tern.netty;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** What a client call saw: headers, messages, status and trailers. Filled by its listener. */
final class CallResult<T> extends ClientCall.Listener<T> {
  final CompletableFuture<Void> closed = new CompletableFuture<>();
  volatile Metadata headers;
  final List<T> messages = new ArrayList<>();
  volatile Status status;
  volatile Metadata trailers;

  @Override
  public void onHeaders(Metadata headers) {
    this.headers = headers;
  }

  @Override
  public synchronized void onMessage(T message) {
    messages.add(message);
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    this.status = status;
    this.trailers = trailers;
    closed.complete(null);
  }

  CallResult<T> await() throws Exception {
    closed.get(30, TimeUnit.SECONDS);
    return this;
  }

  /** Runs a unary call on the raw call API and waits for it to end. */
  static <ReqT, RespT> CallResult<RespT> unary(Channel channel,
      MethodDescriptor<ReqT, RespT> method, ReqT request, Metadata headers) throws Exception {
    CallResult<RespT> result = new CallResult<>();
    ClientCall<ReqT, RespT> call = channel.newCall(method, CallOptions.DEFAULT);
    call.start(result, headers);
    call.request(2);
    call.sendMessage(request);
    call.halfClose();
    return result.await();
  }
}
