package dev.tern.interop;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.ForwardingClientCall;
import dev.tern.ForwardingClientCallListener;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.interop.proto.EmptyProtos.Empty;
import dev.tern.interop.proto.Messages.BoolValue;
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
import dev.tern.interop.proto.TestServiceTern.TestServiceBlockingStub;
import dev.tern.interop.proto.TestServiceTern.TestServiceStub;
import dev.tern.interop.proto.UnimplementedServiceTern;
import dev.tern.netty.TernChannel;
import dev.tern.stub.ClientCallStreamObserver;
import dev.tern.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The client side of the interop cases (interop-test-descriptions.md), run with Tern's client.
 * A case passes by returning; it fails by throwing {@link AssertionError} (or any exception) whose
 * message says what differed. Not thread-safe: one case at a time.
 */
public final class InteropTestCases {
  /** Every case this client and Tern's server implement, in the descriptions' order. */
  public static final List<String> CASES = List.of(
      "empty_unary", "large_unary", "client_compressed_unary", "server_compressed_unary",
      "client_streaming", "client_compressed_streaming", "server_streaming",
      "server_compressed_streaming", "ping_pong", "empty_stream", "custom_metadata",
      "status_code_and_message", "special_status_message", "unimplemented_method",
      "unimplemented_service", "cancel_after_begin", "cancel_after_first_response",
      "timeout_on_sleeping_server", "very_large_request", "rpc_soak", "channel_soak");

  /** Settings for the cases that have any. Immutable once built by its setters. */
  public static final class Options {
    int soakIterations = 10;
    int soakMaxFailures = 0;
    int soakPerIterationMaxAcceptableLatencyMs = 1000;
    int soakOverallTimeoutSeconds = 10;
    int soakRequestSize = 271828;
    int soakResponseSize = 314159;
    boolean skipCompressedProbe;
    boolean checkStreamingCompressedFlags = true;
    long operationTimeoutMillis = 15_000;

    public Options soakIterations(int n) {
      soakIterations = n;
      return this;
    }

    public Options soakMaxFailures(int n) {
      soakMaxFailures = n;
      return this;
    }

    public Options soakPerIterationMaxAcceptableLatencyMs(int ms) {
      soakPerIterationMaxAcceptableLatencyMs = ms;
      return this;
    }

    public Options soakOverallTimeoutSeconds(int s) {
      soakOverallTimeoutSeconds = s;
      return this;
    }

    public Options soakRequestSize(int bytes) {
      soakRequestSize = bytes;
      return this;
    }

    public Options soakResponseSize(int bytes) {
      soakResponseSize = bytes;
      return this;
    }

    /**
     * Skips the feature probe of client_compressed_*: for servers that do not enforce
     * {@code expect_compressed} (grpc-java's cannot see a message's compressed flag).
     */
    public Options skipCompressedProbe(boolean skip) {
      skipCompressedProbe = skip;
      return this;
    }

    /**
     * Whether server_compressed_streaming checks each response's compressed flag (default):
     * off for servers that ignore {@code ResponseParameters.compressed}, as grpc-java's does.
     */
    public Options checkStreamingCompressedFlags(boolean check) {
      checkStreamingCompressedFlags = check;
      return this;
    }
  }

  private static final String SPECIAL_MESSAGE =
      "\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \uD83D\uDE08\t\n";

  private final TernChannel channel;
  private final Supplier<TernChannel> newChannel;
  private final Options options;
  private final TestServiceBlockingStub blocking;
  private final TestServiceStub async;

  /**
   * Runs cases on {@code channel}; channel_soak opens a channel per iteration with
   * {@code newChannel}. The caller owns {@code channel}.
   */
  public InteropTestCases(TernChannel channel, Supplier<TernChannel> newChannel, Options options) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.newChannel = Objects.requireNonNull(newChannel, "newChannel");
    this.options = Objects.requireNonNull(options, "options");
    this.blocking = TestServiceTern.newBlockingStub(channel);
    this.async = TestServiceTern.newStub(channel);
  }

  /** Runs one case by its interop name. */
  public void run(String testCase) throws Exception {
    switch (testCase) {
      case "empty_unary" -> emptyUnary();
      case "large_unary" -> largeUnary();
      case "client_compressed_unary" -> clientCompressedUnary();
      case "server_compressed_unary" -> serverCompressedUnary();
      case "client_streaming" -> clientStreaming();
      case "client_compressed_streaming" -> clientCompressedStreaming();
      case "server_streaming" -> serverStreaming();
      case "server_compressed_streaming" -> serverCompressedStreaming();
      case "ping_pong" -> pingPong();
      case "empty_stream" -> emptyStream();
      case "custom_metadata" -> customMetadata();
      case "status_code_and_message" -> statusCodeAndMessage();
      case "special_status_message" -> specialStatusMessage();
      case "unimplemented_method" -> unimplemented("TestService/UnimplementedCall",
          () -> blocking.unimplementedCall(Empty.getDefaultInstance()));
      case "unimplemented_service" -> unimplemented("UnimplementedService/UnimplementedCall",
          () -> UnimplementedServiceTern.newBlockingStub(channel)
              .unimplementedCall(Empty.getDefaultInstance()));
      case "cancel_after_begin" -> cancelAfterBegin();
      case "cancel_after_first_response" -> cancelAfterFirstResponse();
      case "timeout_on_sleeping_server" -> timeoutOnSleepingServer();
      case "very_large_request" -> veryLargeRequest();
      case "rpc_soak" -> soak(false);
      case "channel_soak" -> soak(true);
      default -> throw new IllegalArgumentException("Unknown test case: " + testCase);
    }
  }

  // ---------------------------------------------------------------- cases

  private void emptyUnary() {
    Empty response = blocking.emptyCall(Empty.getDefaultInstance());
    check(response != null, "empty_unary returned null");
    check(response.getSerializedSize() == 0, "response is not empty: " + response);
  }

  private void largeUnary() {
    SimpleResponse response = blocking.unaryCall(largeRequest().build());
    checkPayload(314159, response.getPayload(), "large_unary response");
  }

  private void clientCompressedUnary() {
    SimpleRequest expectCompressed = largeRequest()
        .setExpectCompressed(BoolValue.newBuilder().setValue(true)).build();
    SimpleRequest expectUncompressed = largeRequest()
        .setExpectCompressed(BoolValue.newBuilder().setValue(false)).build();
    if (!options.skipCompressedProbe) {
      Status probe = statusOf(() -> blocking.unaryCall(expectCompressed));
      checkCode(Status.Code.INVALID_ARGUMENT, probe, "uncompressed probe expecting compression");
    }
    checkPayload(314159,
        blocking.withCompression("gzip").unaryCall(expectCompressed)
            .getPayload(), "compressed request's response");
    checkPayload(314159, blocking.unaryCall(expectUncompressed).getPayload(),
        "uncompressed request's response");
  }

  private void serverCompressedUnary() {
    for (boolean compressed : new boolean[] {true, false}) {
      SimpleRequest request = largeRequest()
          .setResponseCompressed(BoolValue.newBuilder().setValue(compressed)).build();
      MessageCompression.takeWasCompressed();
      // The blocking stub delivers the response on this thread, right after decompressing it.
      SimpleResponse response = blocking.unaryCall(request);
      boolean flag = MessageCompression.takeWasCompressed();
      check(flag == compressed, "response_compressed=" + compressed
          + " but the response's compressed flag was " + flag);
      checkPayload(314159, response.getPayload(),
          "response_compressed=" + compressed + " response");
    }
  }

  private void clientStreaming() throws Exception {
    Recorder<StreamingInputCallResponse> recorder = new Recorder<>();
    StreamObserver<StreamingInputCallRequest> requests = async.streamingInputCall(recorder);
    for (int size : new int[] {27182, 8, 1828, 45904}) {
      requests.onNext(StreamingInputCallRequest.newBuilder().setPayload(zeros(size)).build());
    }
    requests.onCompleted();
    List<StreamingInputCallResponse> responses = recorder.awaitSuccess();
    check(responses.size() == 1, "expected one response, got " + responses.size());
    check(responses.get(0).getAggregatedPayloadSize() == 74922,
        "aggregated_payload_size " + responses.get(0).getAggregatedPayloadSize() + " != 74922");
  }

  private void clientCompressedStreaming() throws Exception {
    StreamingInputCallRequest expectCompressed = StreamingInputCallRequest.newBuilder()
        .setExpectCompressed(BoolValue.newBuilder().setValue(true))
        .setPayload(zeros(27182)).build();
    StreamingInputCallRequest expectUncompressed = StreamingInputCallRequest.newBuilder()
        .setExpectCompressed(BoolValue.newBuilder().setValue(false))
        .setPayload(zeros(45904)).build();
    if (!options.skipCompressedProbe) {
      Recorder<StreamingInputCallResponse> probe = new Recorder<>();
      StreamObserver<StreamingInputCallRequest> requests = async.streamingInputCall(probe);
      requests.onNext(expectCompressed);
      Status status = probe.awaitStatus();
      // The server refused the stream; the request side is over either way.
      requests.onError(new IllegalStateException("probe done"));
      checkCode(Status.Code.INVALID_ARGUMENT, status, "uncompressed probe expecting compression");
    }
    Recorder<StreamingInputCallResponse> recorder = new Recorder<>();
    ClientCallStreamObserver<StreamingInputCallRequest> requests =
        (ClientCallStreamObserver<StreamingInputCallRequest>)
            async.withCompression("gzip").streamingInputCall(recorder);
    requests.setMessageCompression(true);
    requests.onNext(expectCompressed);
    requests.setMessageCompression(false);
    requests.onNext(expectUncompressed);
    requests.onCompleted();
    List<StreamingInputCallResponse> responses = recorder.awaitSuccess();
    check(responses.size() == 1, "expected one response, got " + responses.size());
    check(responses.get(0).getAggregatedPayloadSize() == 73086,
        "aggregated_payload_size " + responses.get(0).getAggregatedPayloadSize() + " != 73086");
  }

  private void serverStreaming() throws Exception {
    int[] sizes = {31415, 9, 2653, 58979};
    StreamingOutputCallRequest.Builder request = StreamingOutputCallRequest.newBuilder();
    for (int size : sizes) {
      request.addResponseParameters(ResponseParameters.newBuilder().setSize(size));
    }
    checkStream(sizes, serverStream(request.build()));
  }

  private void serverCompressedStreaming() throws Exception {
    StreamingOutputCallRequest request = StreamingOutputCallRequest.newBuilder()
        .addResponseParameters(ResponseParameters.newBuilder().setSize(31415)
            .setCompressed(BoolValue.newBuilder().setValue(true)))
        .addResponseParameters(ResponseParameters.newBuilder().setSize(92653)
            .setCompressed(BoolValue.newBuilder().setValue(false)))
        .build();
    Recorder<StreamingOutputCallResponse> recorder = new Recorder<>();
    async.streamingOutputCall(request, recorder);
    checkStream(new int[] {31415, 92653}, recorder.awaitSuccess());
    if (options.checkStreamingCompressedFlags) {
      checkEquals(List.of(true, false), recorder.compressed,
          "compressed flags of the two responses");
    }
  }

  private void pingPong() throws Exception {
    int[] responseSizes = {31415, 9, 2653, 58979};
    int[] requestSizes = {27182, 8, 1828, 45904};
    LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
    StreamObserver<StreamingOutputCallRequest> requests = async.fullDuplexCall(
        new StreamObserver<StreamingOutputCallResponse>() {
          @Override
          public void onNext(StreamingOutputCallResponse value) {
            events.add(value);
          }

          @Override
          public void onError(Throwable t) {
            events.add(t);
          }

          @Override
          public void onCompleted() {
            events.add("completed");
          }
        });
    for (int i = 0; i < responseSizes.length; i++) {
      check(events.isEmpty(), "unexpected event before request " + i + ": " + events.peek());
      requests.onNext(StreamingOutputCallRequest.newBuilder()
          .addResponseParameters(ResponseParameters.newBuilder().setSize(responseSizes[i]))
          .setPayload(zeros(requestSizes[i])).build());
      Object event = events.poll(options.operationTimeoutMillis, TimeUnit.MILLISECONDS);
      check(event != null, "no response to ping " + i + " within the operation timeout");
      if (event instanceof Throwable) {
        throw new AssertionError("ping " + i + " failed: " + Status.fromThrowable((Throwable) event),
            (Throwable) event);
      }
      check(event instanceof StreamingOutputCallResponse, "ping " + i + " got " + event);
      checkPayload(responseSizes[i], ((StreamingOutputCallResponse) event).getPayload(),
          "pong " + i);
    }
    requests.onCompleted();
    Object last = events.poll(options.operationTimeoutMillis, TimeUnit.MILLISECONDS);
    if (last instanceof Throwable) {
      throw new AssertionError("call failed: " + Status.fromThrowable((Throwable) last));
    }
    check("completed".equals(last), "expected completion after half-close, got " + last);
  }

  private void emptyStream() throws Exception {
    Recorder<StreamingOutputCallResponse> recorder = new Recorder<>();
    StreamObserver<StreamingOutputCallRequest> requests = async.fullDuplexCall(recorder);
    requests.onCompleted();
    List<StreamingOutputCallResponse> responses = recorder.awaitSuccess();
    check(responses.isEmpty(), "expected no responses, got " + responses.size());
  }

  private void customMetadata() throws Exception {
    byte[] trailing = {(byte) 0xab, (byte) 0xab, (byte) 0xab};
    String initial = "test_initial_metadata_value";

    MetadataExchange unaryExchange = new MetadataExchange(initial, trailing);
    SimpleResponse response =
        blocking.withInterceptors(unaryExchange).unaryCall(largeRequest().build());
    checkPayload(314159, response.getPayload(), "unary response");
    unaryExchange.check("UnaryCall");

    MetadataExchange streamExchange = new MetadataExchange(initial, trailing);
    Recorder<StreamingOutputCallResponse> recorder = new Recorder<>();
    StreamObserver<StreamingOutputCallRequest> requests = 
        async.withInterceptors(streamExchange).fullDuplexCall(recorder);
    requests.onNext(StreamingOutputCallRequest.newBuilder()
        .addResponseParameters(ResponseParameters.newBuilder().setSize(314159))
        .setPayload(zeros(271828)).build());
    requests.onCompleted();
    checkStream(new int[] {314159}, recorder.awaitSuccess());
    streamExchange.check("FullDuplexCall");
  }

  private void statusCodeAndMessage() throws Exception {
    EchoStatus echo = EchoStatus.newBuilder().setCode(2).setMessage("test status message").build();
    Status unary = statusOf(() -> blocking.unaryCall(
        SimpleRequest.newBuilder().setResponseStatus(echo).build()));
    checkCode(Status.Code.UNKNOWN, unary, "UnaryCall");
    checkEquals("test status message", unary.getDescription(), "UnaryCall status message");

    Recorder<StreamingOutputCallResponse> recorder = new Recorder<>();
    StreamObserver<StreamingOutputCallRequest> requests = async.fullDuplexCall(recorder);
    requests.onNext(StreamingOutputCallRequest.newBuilder().setResponseStatus(echo).build());
    requests.onCompleted();
    Status stream = recorder.awaitStatus();
    checkCode(Status.Code.UNKNOWN, stream, "FullDuplexCall");
    checkEquals("test status message", stream.getDescription(), "FullDuplexCall status message");
  }

  private void specialStatusMessage() {
    EchoStatus echo = EchoStatus.newBuilder().setCode(2).setMessage(SPECIAL_MESSAGE).build();
    Status status = statusOf(() -> blocking.unaryCall(
        SimpleRequest.newBuilder().setResponseStatus(echo).build()));
    checkCode(Status.Code.UNKNOWN, status, "UnaryCall");
    checkEquals(SPECIAL_MESSAGE, status.getDescription(), "status message");
  }

  private static void unimplemented(String method, Runnable call) {
    checkCode(Status.Code.UNIMPLEMENTED, statusOf(call), method);
  }

  private void cancelAfterBegin() throws Exception {
    Recorder<StreamingInputCallResponse> recorder = new Recorder<>();
    StreamObserver<StreamingInputCallRequest> requests = async.streamingInputCall(recorder);
    requests.onError(new RuntimeException("cancel_after_begin"));
    Status status = recorder.awaitStatus();
    checkCode(Status.Code.CANCELLED, status, "cancelled call");
    check(recorder.values.isEmpty(), "responses after cancel: " + recorder.values.size());
  }

  private void cancelAfterFirstResponse() throws Exception {
    Recorder<StreamingOutputCallResponse> recorder = new Recorder<>();
    StreamObserver<StreamingOutputCallRequest> requests = async.fullDuplexCall(recorder);
    requests.onNext(StreamingOutputCallRequest.newBuilder()
        .addResponseParameters(ResponseParameters.newBuilder().setSize(31415))
        .setPayload(zeros(27182)).build());
    StreamingOutputCallResponse first =
        recorder.first.get(options.operationTimeoutMillis, TimeUnit.MILLISECONDS);
    checkPayload(31415, first.getPayload(), "first response");
    requests.onError(new RuntimeException("cancel_after_first_response"));
    Status status = recorder.awaitStatus();
    checkCode(Status.Code.CANCELLED, status, "cancelled call");
    check(recorder.values.size() == 1, "expected 1 response, got " + recorder.values.size());
  }

  private void timeoutOnSleepingServer() throws Exception {
    Recorder<StreamingOutputCallResponse> recorder = new Recorder<>();
    StreamObserver<StreamingOutputCallRequest> requests = 
        async.withDeadlineAfter(1, TimeUnit.MILLISECONDS).fullDuplexCall(recorder);
    try {
      requests.onNext(StreamingOutputCallRequest.newBuilder().setPayload(zeros(27182)).build());
    } catch (RuntimeException e) {
      // The deadline may pass before the message is sent; the status tells.
    }
    Status status = recorder.awaitStatus();
    checkCode(Status.Code.DEADLINE_EXCEEDED, status, "call with a 1 ms deadline");
    check(recorder.values.isEmpty(), "responses from a sleeping server: " + recorder.values.size());
  }

  private void veryLargeRequest() {
    SimpleRequest request = SimpleRequest.newBuilder()
        .setPayload(zeros(10 * 1024 * 1024)).setResponseSize(10).build();
    checkPayload(10, blocking.unaryCall(request).getPayload(),
        "very_large_request response");
  }

  /** rpc_soak and channel_soak (grpc's descriptions; settings as grpc-java's client flags). */
  private void soak(boolean newChannelEachIteration) {
    SimpleRequest request = SimpleRequest.newBuilder()
        .setResponseSize(options.soakResponseSize)
        .setPayload(zeros(options.soakRequestSize)).build();
    long deadline = System.nanoTime()
        + TimeUnit.SECONDS.toNanos(options.soakOverallTimeoutSeconds);
    int failures = 0;
    int done = 0;
    List<String> problems = new ArrayList<>();
    for (; done < options.soakIterations && System.nanoTime() < deadline; done++) {
      TernChannel ch = newChannelEachIteration ? newChannel.get() : channel;
      long start = System.nanoTime();
      try {
        SimpleResponse response = TestServiceTern.newBlockingStub(ch).unaryCall(request);
        checkPayload(options.soakResponseSize, response.getPayload(), "soak response");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (ms > options.soakPerIterationMaxAcceptableLatencyMs) {
          failures++;
          problems.add("iteration " + done + " took " + ms + " ms");
        }
      } catch (RuntimeException | AssertionError e) {
        failures++;
        problems.add("iteration " + done + ": " + e.getMessage());
      } finally {
        if (newChannelEachIteration) {
          shutdown(ch);
        }
      }
    }
    check(done == options.soakIterations, "soak ran " + done + " of " + options.soakIterations
        + " iterations in " + options.soakOverallTimeoutSeconds + " s");
    check(failures <= options.soakMaxFailures, failures + " soak iterations failed (max "
        + options.soakMaxFailures + "): " + problems);
  }

  // ---------------------------------------------------------------- helpers

  private static SimpleRequest.Builder largeRequest() {
    return SimpleRequest.newBuilder().setResponseSize(314159).setPayload(zeros(271828));
  }

  private static Payload zeros(int size) {
    return TestServiceImpl.zeros(size);
  }

  private List<StreamingOutputCallResponse> serverStream(StreamingOutputCallRequest request)
      throws Exception {
    Recorder<StreamingOutputCallResponse> recorder = new Recorder<>();
    async.streamingOutputCall(request, recorder);
    return recorder.awaitSuccess();
  }

  private static void checkStream(int[] sizes, List<StreamingOutputCallResponse> responses) {
    check(responses.size() == sizes.length,
        "expected " + sizes.length + " responses, got " + responses.size());
    for (int i = 0; i < sizes.length; i++) {
      checkPayload(sizes[i], responses.get(i).getPayload(), "response " + i);
    }
  }

  private static void checkPayload(int size, Payload payload, String what) {
    int actual = payload.getBody().size();
    check(actual == size, what + " payload is " + actual + " bytes, expected " + size);
    for (int i = 0; i < actual; i++) {
      if (payload.getBody().byteAt(i) != 0) {
        throw new AssertionError(what + " payload has a non-zero byte at " + i);
      }
    }
  }

  private static Status statusOf(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
    return Status.OK;
  }

  private static void checkCode(Status.Code expected, Status actual, String what) {
    if (actual.getCode() != expected) {
      throw new AssertionError(what + ": expected " + expected + ", got " + actual);
    }
  }

  private static void checkEquals(Object expected, Object actual, String what) {
    if (!Objects.equals(expected, actual)) {
      throw new AssertionError(what + ": expected <" + expected + "> but was <" + actual + ">");
    }
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }

  static void shutdown(TernChannel ch) {
    ch.shutdownNow();
    try {
      ch.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Records one call's responses and outcome. Thread-safe. */
  private final class Recorder<T> implements StreamObserver<T> {
    final List<T> values = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Each response's compressed flag (the listener runs where it was decompressed). */
    final List<Boolean> compressed = new java.util.concurrent.CopyOnWriteArrayList<>();
    final CompletableFuture<T> first = new CompletableFuture<>();
    final CompletableFuture<Status> done = new CompletableFuture<>();

    @Override
    public void onNext(T value) {
      compressed.add(MessageCompression.takeWasCompressed());
      values.add(value);
      first.complete(value);
    }

    @Override
    public void onError(Throwable t) {
      first.completeExceptionally(t);
      done.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      done.complete(Status.OK);
    }

    Status awaitStatus() throws Exception {
      try {
        return done.get(options.operationTimeoutMillis, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("call did not end within " + options.operationTimeoutMillis
            + " ms");
      }
    }

    List<T> awaitSuccess() throws Exception {
      Status status = awaitStatus();
      if (!status.isOk()) {
        throw new AssertionError("call failed: " + status, status.getCause());
      }
      return values;
    }
  }

  /** Sends the Echo Metadata headers and captures what comes back. Thread-safe. */
  private static final class MetadataExchange implements ClientInterceptor {
    private final String initial;
    private final byte[] trailing;
    private final AtomicReference<Metadata> headers = new AtomicReference<>();
    private final AtomicReference<Metadata> trailers = new AtomicReference<>();

    MetadataExchange(String initial, byte[] trailing) {
      this.initial = initial;
      this.trailing = trailing;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
        CallOptions callOptions, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(
          next.newCall(method, callOptions)) {
        @Override
        public void start(Listener<RespT> listener, Metadata requestHeaders) {
          requestHeaders.put(TestServiceImpl.ECHO_INITIAL, initial);
          requestHeaders.put(TestServiceImpl.ECHO_TRAILING, trailing);
          super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
              listener) {
            @Override
            public void onHeaders(Metadata h) {
              headers.set(h);
              super.onHeaders(h);
            }

            @Override
            public void onClose(Status status, Metadata t) {
              trailers.set(t);
              super.onClose(status, t);
            }
          }, requestHeaders);
        }
      };
    }

    void check(String call) {
      Metadata h = headers.get();
      checkEquals(initial, h == null ? null : h.get(TestServiceImpl.ECHO_INITIAL),
          call + " initial metadata " + TestServiceImpl.ECHO_INITIAL.name());
      Metadata t = trailers.get();
      byte[] echoed = t == null ? null : t.get(TestServiceImpl.ECHO_TRAILING);
      if (!Arrays.equals(trailing, echoed)) {
        throw new AssertionError(call + " trailing metadata " + TestServiceImpl.ECHO_TRAILING.name()
            + ": expected " + Arrays.toString(trailing) + " but was " + Arrays.toString(echoed));
      }
    }
  }
}
