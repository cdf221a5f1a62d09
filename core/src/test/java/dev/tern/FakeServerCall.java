package dev.tern;

import java.util.ArrayList;
import java.util.List;

/** A server call that records what the code under test does to it. Test-thread only. */
public final class FakeServerCall<ReqT, RespT> extends ServerCall<ReqT, RespT> {
  public final MethodDescriptor<ReqT, RespT> method;
  public int requested;
  public Metadata headers;
  public final List<RespT> messages = new ArrayList<>();
  public Status closedStatus;
  public Metadata closedTrailers;
  public int closeCount;
  public boolean cancelled;
  public boolean ready = true;
  public String compression;

  public FakeServerCall(MethodDescriptor<ReqT, RespT> method) {
    this.method = method;
  }

  @Override
  public void request(int numMessages) {
    requested += numMessages;
  }

  @Override
  public void sendHeaders(Metadata headers) {
    if (this.headers != null) {
      throw new IllegalStateException("headers sent twice");
    }
    this.headers = headers;
  }

  @Override
  public void sendMessage(RespT message) {
    if (headers == null) {
      throw new IllegalStateException("message before headers");
    }
    if (closedStatus != null) {
      throw new IllegalStateException("message after close");
    }
    messages.add(message);
  }

  @Override
  public void close(Status status, Metadata trailers) {
    closeCount++;
    if (closedStatus != null) {
      throw new IllegalStateException("closed twice");
    }
    closedStatus = status;
    closedTrailers = trailers;
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  @Override
  public boolean isReady() {
    return ready;
  }

  @Override
  public void setCompression(String compressor) {
    compression = compressor;
  }

  @Override
  public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
    return method;
  }
}
