package dev.tern.interop;

import com.google.protobuf.ByteString;
import dev.tern.Context;
import dev.tern.Contexts;
import dev.tern.ForwardingServerCall;
import dev.tern.ForwardingServerCallListener;
import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.ServerInterceptors;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.interop.proto.EmptyProtos.Empty;
import dev.tern.interop.proto.Messages.EchoStatus;
import dev.tern.interop.proto.Messages.Payload;
import dev.tern.interop.proto.Messages.ResponseParameters;
import dev.tern.interop.proto.Messages.SimpleRequest;
import dev.tern.interop.proto.Messages.SimpleResponse;
import dev.tern.interop.proto.Messages.StreamingInputCallRequest;
import dev.tern.interop.proto.Messages.StreamingInputCallResponse;
import dev.tern.interop.proto.Messages.StreamingOutputCallRequest;
import dev.tern.interop.proto.Messages.StreamingOutputCallResponse;
import dev.tern.interop.proto.TestServiceTern;
import dev.tern.services.MetricRecorder;
import dev.tern.services.OrcaServerInterceptor;
import dev.tern.stub.ServerCallStreamObserver;
import dev.tern.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Tern's {@code grpc.testing.TestService}: the server features of interop-test-descriptions.md
 * (EmptyCall, UnaryCall, StreamingInputCall, StreamingOutputCall, FullDuplexCall, HalfDuplexCall,
 * CompressedRequest, CompressedResponse, Echo Status, Echo Metadata, interval_us). UnimplementedCall
 * is left unimplemented on purpose.
 *
 * <p>Thread-safe: one instance serves all calls; per-call state lives in each call's observers.
 */
public final class TestServiceImpl {
  /** Echoed back in the response headers (Echo Metadata). */
  public static final Metadata.Key<String> ECHO_INITIAL =
      Metadata.Key.ascii("x-grpc-test-echo-initial");
  /** Echoed back in the trailers (Echo Metadata). */
  public static final Metadata.Key<byte[]> ECHO_TRAILING =
      Metadata.Key.binary("x-grpc-test-echo-trailing-bin");

  private static final String GZIP = "gzip";

  private TestServiceImpl() {}

  /** The service with its interceptors (Echo Metadata, request compression tracking, ORCA). */
  public static ServerServiceDefinition bindService() {
    return bindService(MetricRecorder.create());
  }

  /**
   * {@link #bindService()}, recording the ORCA out-of-band reports that FullDuplexCall requests
   * carry ({@code orca_oob_report}) in {@code oobMetrics}.
   */
  public static ServerServiceDefinition bindService(MetricRecorder oobMetrics) {
    return ServerInterceptors.intercept(new Service(oobMetrics).bindService(),
        new EchoMetadata(), InboundCompression.interceptor(), OrcaServerInterceptor.create());
  }

  /** The generated base; UnimplementedCall stays unimplemented (unimplemented_method). */
  private static final class Service extends TestServiceTern.TestServiceImplBase {
    private final MetricRecorder oobMetrics;

    Service(MetricRecorder oobMetrics) {
      this.oobMetrics = oobMetrics;
    }

    @Override
    public void emptyCall(Empty request, StreamObserver<Empty> response) {
      response.onNext(Empty.getDefaultInstance());
      response.onCompleted();
    }

    @Override
    public void unaryCall(SimpleRequest request, StreamObserver<SimpleResponse> response) {
      unary(request, response);
    }

    @Override
    public void cacheableUnaryCall(SimpleRequest request,
        StreamObserver<SimpleResponse> response) {
      unary(request, response);
    }

    @Override
    public void streamingOutputCall(StreamingOutputCallRequest request,
        StreamObserver<StreamingOutputCallResponse> response) {
      streamingOutput(request, response);
    }

    @Override
    public StreamObserver<StreamingInputCallRequest> streamingInputCall(
        StreamObserver<StreamingInputCallResponse> response) {
      return streamingInput(response);
    }

    @Override
    public StreamObserver<StreamingOutputCallRequest> fullDuplexCall(
        StreamObserver<StreamingOutputCallResponse> response) {
      return fullDuplex(response, oobMetrics);
    }

    @Override
    public StreamObserver<StreamingOutputCallRequest> halfDuplexCall(
        StreamObserver<StreamingOutputCallResponse> response) {
      return halfDuplex(response);
    }
  }

  // ---------------------------------------------------------------- methods

  private static void unary(SimpleRequest request, StreamObserver<SimpleResponse> observer) {
    ServerCallStreamObserver<SimpleResponse> response =
        (ServerCallStreamObserver<SimpleResponse>) observer;
    // CompressedRequest: an uncompressed request that expects compression is refused.
    if (request.getExpectCompressed().getValue() && !InboundCompression.lastMessageCompressed()) {
      response.onError(Status.INVALID_ARGUMENT
          .withDescription("Expected a compressed request, got an uncompressed one")
          .asRuntimeException());
      return;
    }
    if (request.hasResponseStatus() && request.getResponseStatus().getCode() != 0) {
      response.onError(echoStatus(request.getResponseStatus()).asRuntimeException());
      return;
    }
    // CompressedResponse: gzip if asked, and never compress otherwise.
    if (request.getResponseCompressed().getValue()) {
      response.setCompression(GZIP);
      response.setMessageCompression(true);
    } else {
      response.setMessageCompression(false);
    }
    if (request.hasOrcaPerQueryReport()) {
      // orca_per_rpc: sent back in this call's endpoint-load-metrics-bin trailer.
      OrcaReports.recordPerCall(request.getOrcaPerQueryReport());
    }
    SimpleResponse.Builder answer = SimpleResponse.newBuilder();
    if (request.getResponseSize() > 0) {
      answer.setPayload(zeros(request.getResponseSize()));
    }
    response.onNext(answer.build());
    response.onCompleted();
  }

  private static void streamingOutput(StreamingOutputCallRequest request,
      StreamObserver<StreamingOutputCallResponse> observer) {
    ResponseStream stream = new ResponseStream(observer);
    stream.enqueue(request);
    stream.complete();
  }

  private static StreamObserver<StreamingInputCallRequest> streamingInput(
      StreamObserver<StreamingInputCallResponse> response) {
    return new StreamObserver<>() {
      private int aggregated;
      private boolean failed;

      @Override
      public void onNext(StreamingInputCallRequest request) {
        if (failed) {
          return;
        }
        if (request.getExpectCompressed().getValue()
            && !InboundCompression.lastMessageCompressed()) {
          failed = true;
          response.onError(Status.INVALID_ARGUMENT
              .withDescription("Expected a compressed request message, got an uncompressed one")
              .asRuntimeException());
          return;
        }
        aggregated += request.getPayload().getBody().size();
      }

      @Override
      public void onError(Throwable t) {
        // The client cancelled (cancel_after_begin): nothing to answer.
      }

      @Override
      public void onCompleted() {
        if (!failed) {
          response.onNext(StreamingInputCallResponse.newBuilder()
              .setAggregatedPayloadSize(aggregated).build());
          response.onCompleted();
        }
      }
    };
  }

  private static StreamObserver<StreamingOutputCallRequest> fullDuplex(
      StreamObserver<StreamingOutputCallResponse> observer, MetricRecorder oobMetrics) {
    ResponseStream stream = new ResponseStream(observer);
    return new StreamObserver<>() {
      @Override
      public void onNext(StreamingOutputCallRequest request) {
        if (request.hasOrcaOobReport()) {
          // orca_oob: the report replaces the server's out-of-band load before the answer.
          OrcaReports.setOutOfBand(oobMetrics, request.getOrcaOobReport());
        }
        stream.enqueue(request);
      }

      @Override
      public void onError(Throwable t) {
        stream.cancelled();
      }

      @Override
      public void onCompleted() {
        stream.complete();
      }
    };
  }

  private static StreamObserver<StreamingOutputCallRequest> halfDuplex(
      StreamObserver<StreamingOutputCallResponse> observer) {
    ResponseStream stream = new ResponseStream(observer);
    List<StreamingOutputCallRequest> requests = new ArrayList<>();
    return new StreamObserver<>() {
      @Override
      public void onNext(StreamingOutputCallRequest request) {
        requests.add(request);
      }

      @Override
      public void onError(Throwable t) {
        stream.cancelled();
      }

      @Override
      public void onCompleted() {
        requests.forEach(stream::enqueue);
        stream.complete();
      }
    };
  }

  // ---------------------------------------------------------------- helpers

  static Payload zeros(int size) {
    return Payload.newBuilder().setBody(ByteString.copyFrom(new byte[size])).build();
  }

  private static Status echoStatus(EchoStatus echo) {
    return Status.fromCodeValue(echo.getCode()).withDescription(echo.getMessage());
  }

  /**
   * The responses of one streaming call, sent in order; {@code interval_us} delays a response
   * after the previous one without blocking a thread (Observe ResponseParameters.interval_us).
   * Callbacks of one call never overlap, and each step runs after the previous one completes.
   */
  private static final class ResponseStream {
    private static final Executor NOW = Runnable::run;

    private final ServerCallStreamObserver<StreamingOutputCallResponse> observer;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private boolean closed;
    private boolean compressionSet;

    ResponseStream(StreamObserver<StreamingOutputCallResponse> observer) {
      this.observer = (ServerCallStreamObserver<StreamingOutputCallResponse>) observer;
    }

    synchronized void enqueue(StreamingOutputCallRequest request) {
      if (closed) {
        return;
      }
      if (request.hasResponseStatus() && request.getResponseStatus().getCode() != 0) {
        // Echo Status: close with it; later requests are ignored.
        closed = true;
        Status status = echoStatus(request.getResponseStatus());
        then(0, () -> observer.onError(status.asRuntimeException()));
        return;
      }
      for (ResponseParameters p : request.getResponseParametersList()) {
        then(p.getIntervalUs(), () -> send(p));
      }
    }

    synchronized void complete() {
      if (!closed) {
        closed = true;
        then(0, observer::onCompleted);
      }
    }

    synchronized void cancelled() {
      closed = true;
    }

    private void send(ResponseParameters p) {
      if (observer.isCancelled()) {
        return;
      }
      if (p.getCompressed().getValue()) {
        if (!compressionSet) {
          compressionSet = true;
          observer.setCompression(GZIP);
        }
        observer.setMessageCompression(true);
      } else {
        observer.setMessageCompression(false);
      }
      observer.onNext(StreamingOutputCallResponse.newBuilder()
          .setPayload(zeros(p.getSize())).build());
    }

    private void then(int delayMicros, Runnable step) {
      Executor executor = delayMicros <= 0 ? NOW
          : CompletableFuture.delayedExecutor(delayMicros, TimeUnit.MICROSECONDS);
      tail = tail.thenRunAsync(step, executor);
    }
  }

  /**
   * Echo Metadata: {@code x-grpc-test-echo-initial} goes back in the response headers and
   * {@code x-grpc-test-echo-trailing-bin} in the trailers, exactly as received.
   */
  static final class EchoMetadata implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
        Metadata requestHeaders, ServerCallHandler<ReqT, RespT> next) {
      String initial = requestHeaders.get(ECHO_INITIAL);
      byte[] trailing = requestHeaders.get(ECHO_TRAILING);
      if (initial == null && trailing == null) {
        return next.startCall(call, requestHeaders);
      }
      return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
        private boolean headersSent;

        @Override
        public void sendHeaders(Metadata headers) {
          if (initial != null) {
            headers.put(ECHO_INITIAL, initial);
          }
          headersSent = true;
          super.sendHeaders(headers);
        }

        @Override
        public void sendMessage(RespT message) {
          if (!headersSent) {
            sendHeaders(new Metadata());
          }
          super.sendMessage(message);
        }

        @Override
        public void close(Status status, Metadata trailers) {
          if (trailing != null) {
            trailers.put(ECHO_TRAILING, trailing);
          }
          if (!headersSent && initial != null) {
            // Trailers-Only: the initial metadata can only travel with the trailers.
            trailers.put(ECHO_INITIAL, initial);
          }
          super.close(status, trailers);
        }
      }, requestHeaders);
    }
  }

  /**
   * Knows whether the request message being handled arrived compressed (CompressedRequest).
   * The listener of each call records the flag of each message before the application sees it.
   */
  static final class InboundCompression {
    private static final Context.Key<boolean[]> LAST_COMPRESSED = Context.key("last-compressed");

    private InboundCompression() {}

    /** Whether the call's most recent request message was compressed. */
    static boolean lastMessageCompressed() {
      boolean[] flag = LAST_COMPRESSED.get();
      return flag != null && flag[0];
    }

    static ServerInterceptor interceptor() {
      return new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
            Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          boolean[] flag = new boolean[1];
          Context context = Context.current().withValue(LAST_COMPRESSED, flag);
          ServerCall.Listener<ReqT> listener = Contexts.interceptCall(context, call, headers, next);
          return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(ReqT message) {
              flag[0] = MessageCompression.takeWasCompressed();
              super.onMessage(message);
            }
          };
        }
      };
    }
  }
}
