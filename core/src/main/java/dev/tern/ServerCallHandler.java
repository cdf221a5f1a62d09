package dev.tern;

/**
 * Starts the server side of a call: returns the listener that receives its events. Implementations
 * are thread-safe (one handler serves every call of a method).
 */
@FunctionalInterface
public interface ServerCallHandler<ReqT, RespT> {
  ServerCall.Listener<ReqT> startCall(ServerCall<ReqT, RespT> call, Metadata headers);
}
