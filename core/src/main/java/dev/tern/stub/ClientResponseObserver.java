package dev.tern.stub;

/**
 * A response observer that also wants to control the call's outbound side: pass one to an async
 * call of {@link ClientCalls} (or an async stub) and {@link #beforeStart} hands it the request
 * observer before the call starts, where it can {@linkplain CallStreamObserver#disableAutoRequest
 * disable automatic requests}, set an {@linkplain CallStreamObserver#setOnReadyHandler on-ready
 * handler} or keep the observer to {@linkplain ClientCallStreamObserver#cancel cancel} later.
 *
 * <p>Not thread-safe, like {@link StreamObserver}.
 */
public interface ClientResponseObserver<ReqT, RespT> extends StreamObserver<RespT> {
  /** Called once, on the calling thread, before the call starts. */
  void beforeStart(ClientCallStreamObserver<ReqT> requestStream);
}
