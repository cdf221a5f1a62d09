package dev.tern.services;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.services.reflection.v1.ServerReflectionRequest;
import dev.tern.services.reflection.v1.ServerReflectionResponse;
import dev.tern.services.reflection.v1.ServerReflectionTern;
import dev.tern.stub.StreamObserver;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * gRPC server reflection (grpc doc/server-reflection.md) as {@code grpc.reflection.v1} and
 * {@code grpc.reflection.v1alpha}: grpcurl, grpcui, Postman, Kreya and {@code buf curl} use it to
 * call a server without its .proto files. Register both versions (some tools only speak
 * v1alpha), then bind the service to the server whose services it describes:
 *
 * <pre>{@code
 * ProtoReflectionService reflection = ProtoReflectionService.create();
 * TernServer server = TernServer.builder().port(8080)
 *     .addService(greeter)
 *     .addService(reflection.v1())
 *     .addService(reflection.v1alpha())
 *     .build();
 * reflection.bindTo(server::getServices);
 * server.start();
 * }</pre>
 *
 * It describes the services whose schema descriptor is a protobuf service descriptor (what
 * tern-codegen records), with every file they import. Thread-safe: the binding may be set from
 * any thread; each stream answers from the services as they were when it started.
 */
public final class ProtoReflectionService {
  private volatile Supplier<? extends Collection<ServerServiceDefinition>> services;
  /** The index of the last services seen, rebuilt only when the supplier returns another set. */
  private volatile Cached cached;
  private final ServerServiceDefinition v1;
  private final ServerServiceDefinition v1alpha;

  private record Cached(Collection<ServerServiceDefinition> services, ReflectionIndex index) {}

  private ProtoReflectionService(Supplier<? extends Collection<ServerServiceDefinition>> s) {
    this.services = s;
    this.v1 = ServerReflectionTern.bindService(new V1());
    this.v1alpha = dev.tern.services.reflection.v1alpha.ServerReflectionTern
        .bindService(new V1alpha());
  }

  /** A reflection service to be bound with {@link #bindTo} before the server starts. */
  public static ProtoReflectionService create() {
    return new ProtoReflectionService(null);
  }

  /** A reflection service describing {@code services} (a fixed list, e.g. for tests). */
  public static ProtoReflectionService forServices(Collection<ServerServiceDefinition> services) {
    List<ServerServiceDefinition> copy = List.copyOf(services);
    return new ProtoReflectionService(() -> copy);
  }

  /**
   * Describes the services {@code services} returns, asked each time a stream starts; pass
   * {@code server::getServices}.
   */
  public ProtoReflectionService bindTo(
      Supplier<? extends Collection<ServerServiceDefinition>> services) {
    this.services = Objects.requireNonNull(services, "services");
    return this;
  }

  /** The {@code grpc.reflection.v1.ServerReflection} service. */
  public ServerServiceDefinition v1() {
    return v1;
  }

  /** The {@code grpc.reflection.v1alpha.ServerReflection} service, for older clients. */
  public ServerServiceDefinition v1alpha() {
    return v1alpha;
  }

  /** The index for a new stream, or null if the service is not bound yet. */
  private ReflectionIndex index() {
    Supplier<? extends Collection<ServerServiceDefinition>> s = services;
    if (s == null) {
      return null;
    }
    Collection<ServerServiceDefinition> current = s.get();
    Cached c = cached;
    if (c == null || c.services() != current) {
      c = new Cached(current, new ReflectionIndex(current));
      cached = c;
    }
    return c.index();
  }

  /** Opens a stream answering in v1 messages through {@code decode}/{@code encode}. */
  private <ReqT, RespT> StreamObserver<ReqT> open(StreamObserver<RespT> responses,
      Decoder<ReqT> decode, Function<ServerReflectionResponse, RespT> encode) {
    ReflectionIndex index = index();
    if (index == null) {
      responses.onError(Status.UNAVAILABLE
          .withDescription("reflection is not bound to a server (ProtoReflectionService.bindTo)")
          .asRuntimeException());
      return new StreamObserver<>() {
        @Override
        public void onNext(ReqT value) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      };
    }
    ReflectionStream stream = new ReflectionStream(index);
    return new StreamObserver<>() {
      @Override
      public void onNext(ReqT request) {
        ServerReflectionRequest v1Request;
        try {
          v1Request = decode.apply(request);
        } catch (InvalidProtocolBufferException e) {
          throw Status.INTERNAL.withDescription("bad request").withCause(e).asRuntimeException();
        }
        responses.onNext(encode.apply(stream.answer(v1Request)));
      }

      @Override
      public void onError(Throwable t) {
        // The client went away; there is nothing to close.
      }

      @Override
      public void onCompleted() {
        responses.onCompleted();
      }
    };
  }

  private interface Decoder<ReqT> {
    ServerReflectionRequest apply(ReqT request) throws InvalidProtocolBufferException;
  }

  /** v1: the messages are used as they are. Stateless. */
  private final class V1 implements ServerReflectionTern.AsyncService {
    @Override
    public StreamObserver<ServerReflectionRequest> serverReflectionInfo(
        StreamObserver<ServerReflectionResponse> responses) {
      return open(responses, r -> r, r -> r);
    }
  }

  /**
   * v1alpha: its messages have the same fields and numbers as v1's, so they are converted
   * through their wire form and answered by the same code. Stateless.
   */
  private final class V1alpha
      implements dev.tern.services.reflection.v1alpha.ServerReflectionTern.AsyncService {
    @Override
    public StreamObserver<dev.tern.services.reflection.v1alpha.ServerReflectionRequest>
        serverReflectionInfo(StreamObserver<
            dev.tern.services.reflection.v1alpha.ServerReflectionResponse> responses) {
      return open(responses,
          r -> ServerReflectionRequest.parseFrom(r.toByteString()),
          r -> {
            try {
              return dev.tern.services.reflection.v1alpha.ServerReflectionResponse
                  .parseFrom(r.toByteString());
            } catch (InvalidProtocolBufferException e) {
              throw new IllegalStateException("v1 and v1alpha responses differ", e);
            }
          });
    }
  }
}
