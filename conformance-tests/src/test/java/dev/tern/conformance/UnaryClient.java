package dev.tern.conformance;

import com.google.protobuf.StringValue;
import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Makes unary calls of the {@link Contract} service through one client implementation and reports
 * them as {@link UnaryOutcome}s, so one test body can drive Tern and grpc-java clients alike.
 * Implementations are thread-safe.
 */
interface UnaryClient {
  /** Starts a call of {@code method} (a bare method name of the contract service). */
  CompletableFuture<UnaryOutcome> start(String method, String request, MetadataList headers);

  /** Makes a call and waits for its outcome. */
  default UnaryOutcome call(String method, String request, MetadataList headers)
      throws Exception {
    return start(method, request, headers).get(30, TimeUnit.SECONDS);
  }

  default UnaryOutcome call(String method, String request) throws Exception {
    return call(method, request, MetadataList.EMPTY);
  }

  /** A client on a Tern {@link Channel}, using the raw {@link ClientCall} API. */
  static UnaryClient tern(Channel channel) {
    return (method, request, headers) -> {
      CompletableFuture<UnaryOutcome> outcome = new CompletableFuture<>();
      ClientCall<StringValue, StringValue> call =
          channel.newCall(Contract.ternMethod(method), CallOptions.DEFAULT);
      call.start(new ClientCall.Listener<>() {
        private MetadataList responseHeaders;
        private final List<String> responses = new ArrayList<>();

        @Override
        public void onHeaders(dev.tern.Metadata h) {
          responseHeaders = MetadataList.fromTern(h);
        }

        @Override
        public void onMessage(StringValue message) {
          responses.add(message.getValue());
        }

        @Override
        public void onClose(Status status, dev.tern.Metadata trailers) {
          outcome.complete(new UnaryOutcome(status.getCode(), status.getDescription(),
              responseHeaders, responses, MetadataList.fromTern(trailers)));
        }
      }, headers.toTern());
      call.request(2);
      call.sendMessage(StringValue.of(request));
      call.halfClose();
      return outcome;
    };
  }

  /** A client on a grpc-java channel, using its raw {@link io.grpc.ClientCall} API. */
  static UnaryClient grpc(io.grpc.Channel channel) {
    return (method, request, headers) -> {
      CompletableFuture<UnaryOutcome> outcome = new CompletableFuture<>();
      io.grpc.ClientCall<StringValue, StringValue> call =
          channel.newCall(Contract.grpcMethod(method), io.grpc.CallOptions.DEFAULT);
      call.start(new io.grpc.ClientCall.Listener<>() {
        private MetadataList responseHeaders;
        private final List<String> responses = new ArrayList<>();

        @Override
        public void onHeaders(io.grpc.Metadata h) {
          responseHeaders = MetadataList.fromGrpc(h);
        }

        @Override
        public void onMessage(StringValue message) {
          responses.add(message.getValue());
        }

        @Override
        public void onClose(io.grpc.Status status, io.grpc.Metadata trailers) {
          outcome.complete(new UnaryOutcome(
              Status.Code.fromValue(status.getCode().value()), status.getDescription(),
              responseHeaders, responses, MetadataList.fromGrpc(trailers)));
        }
      }, headers.toGrpc());
      call.request(2);
      call.sendMessage(StringValue.of(request));
      call.halfClose();
      return outcome;
    };
  }
}
