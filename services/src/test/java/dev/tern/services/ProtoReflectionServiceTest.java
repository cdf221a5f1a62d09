package dev.tern.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.tern.netty.TernServer;
import dev.tern.services.test.CatalogTern;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Server reflection served by Tern, read with grpc-java's generated v1 and v1alpha reflection
 * stubs the way grpcurl does: list the services, fetch each one's file with its dependencies,
 * and rebuild the whole schema from the FileDescriptorProtos alone.
 */
class ProtoReflectionServiceTest {
  private static final String CATALOG = "tern.services.test.Catalog";

  private TernServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    ProtoReflectionService reflection = ProtoReflectionService.create();
    server = TernServer.builder()
        .address(new InetSocketAddress("127.0.0.1", 0))
        .addService(CatalogTern.bindService(new CatalogTern.AsyncService() {}))
        .addService(new HealthStatusManager().getHealthService())
        .addService(reflection.v1())
        .addService(reflection.v1alpha())
        .build();
    reflection.bindTo(server::getServices);
    server.start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void v1ListsServicesAndRebuildsTheSchema() throws Exception {
    try (V1Stream s = new V1Stream(channel)) {
      ServerReflectionResponse list = s.ask(ServerReflectionRequest.newBuilder()
          .setHost("localhost").setListServices("*").build());
      assertEquals("localhost", list.getValidHost());
      assertEquals("*", list.getOriginalRequest().getListServices());
      List<String> names = new ArrayList<>();
      list.getListServicesResponse().getServiceList().forEach(r -> names.add(r.getName()));
      assertEquals(List.of("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
          "grpc.reflection.v1alpha.ServerReflection", CATALOG), names);

      // grpcurl's path: the file containing each listed service, dependencies included.
      Map<String, FileDescriptorProto> received = new HashMap<>();
      for (String name : names) {
        ServerReflectionResponse r = s.ask(
            ServerReflectionRequest.newBuilder().setFileContainingSymbol(name).build());
        for (ByteString b : r.getFileDescriptorResponse().getFileDescriptorProtoList()) {
          FileDescriptorProto p = FileDescriptorProto.parseFrom(b);
          received.put(p.getName(), p);
        }
      }
      assertRebuildsCatalog(received);
      for (String name : names) {
        FileDescriptor f = build(received.keySet().stream()
            .filter(n -> received.get(n).getServiceList().stream()
                .anyMatch(sv -> (received.get(n).getPackage() + "." + sv.getName()).equals(name)))
            .findFirst().orElseThrow(), received, new HashMap<>());
        assertNotNull(f);
      }
    }
  }

  @Test
  void eachFileIsSentOncePerStreamButTheOneAskedForAlways() throws Exception {
    try (V1Stream s = new V1Stream(channel)) {
      List<String> first = fileNames(s.ask(ServerReflectionRequest.newBuilder()
          .setFileContainingSymbol(CATALOG).build()));
      assertEquals("tern/services/test/catalog.proto", first.get(0));
      assertEquals(Set.of("tern/services/test/catalog.proto", "google/protobuf/empty.proto",
          "tern/services/test/base.proto", "tern/services/test/ext.proto"), Set.copyOf(first));
      assertEquals(4, first.size());

      // Again: the file itself, none of its dependencies.
      assertEquals(List.of("tern/services/test/catalog.proto"), fileNames(s.ask(
          ServerReflectionRequest.newBuilder().setFileContainingSymbol(CATALOG).build())));
      assertEquals(List.of("tern/services/test/ext.proto"), fileNames(s.ask(
          ServerReflectionRequest.newBuilder()
              .setFileByFilename("tern/services/test/ext.proto").build())));
    }
    // A new stream starts afresh.
    try (V1Stream s = new V1Stream(channel)) {
      assertEquals(List.of("tern/services/test/ext.proto", "tern/services/test/base.proto"),
          fileNames(s.ask(ServerReflectionRequest.newBuilder()
              .setFileByFilename("tern/services/test/ext.proto").build())));
    }
  }

  @Test
  void findsEveryKindOfSymbol() throws Exception {
    try (V1Stream s = new V1Stream(channel)) {
      Map<String, String> expected = Map.of(
          CATALOG, "tern/services/test/catalog.proto",
          CATALOG + ".Follow", "tern/services/test/catalog.proto",
          "tern.services.test.Item", "tern/services/test/catalog.proto",
          "tern.services.test.Base.Inner", "tern/services/test/base.proto",
          "tern.services.test.Base.Inner.Kind", "tern/services/test/base.proto",
          "tern.services.test.Color", "tern/services/test/base.proto",
          "tern.services.test.note", "tern/services/test/ext.proto",
          "tern.services.test.Holder.count", "tern/services/test/ext.proto",
          "google.protobuf.Empty", "google/protobuf/empty.proto",
          "grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto");
      for (Map.Entry<String, String> e : expected.entrySet()) {
        ServerReflectionResponse r = s.ask(ServerReflectionRequest.newBuilder()
            .setFileContainingSymbol(e.getKey()).build());
        assertEquals(e.getValue(), fileNames(r).get(0), e.getKey());
      }
    }
  }

  @Test
  void answersExtensionQueries() throws Exception {
    try (V1Stream s = new V1Stream(channel)) {
      ServerReflectionResponse numbers = s.ask(ServerReflectionRequest.newBuilder()
          .setAllExtensionNumbersOfType("tern.services.test.Base").build());
      assertEquals("tern.services.test.Base",
          numbers.getAllExtensionNumbersResponse().getBaseTypeName());
      assertEquals(List.of(100, 150),
          numbers.getAllExtensionNumbersResponse().getExtensionNumberList());
      ServerReflectionResponse none = s.ask(ServerReflectionRequest.newBuilder()
          .setAllExtensionNumbersOfType("tern.services.test.Item").build());
      assertEquals(List.of(), none.getAllExtensionNumbersResponse().getExtensionNumberList());

      ServerReflectionResponse file = s.ask(ServerReflectionRequest.newBuilder()
          .setFileContainingExtension(io.grpc.reflection.v1.ExtensionRequest.newBuilder()
              .setContainingType("tern.services.test.Base").setExtensionNumber(150))
          .build());
      assertEquals("tern/services/test/ext.proto", fileNames(file).get(0));
    }
  }

  @Test
  void unknownNamesAreNotFound() throws Exception {
    try (V1Stream s = new V1Stream(channel)) {
      List<ServerReflectionRequest> requests = List.of(
          ServerReflectionRequest.newBuilder().setFileByFilename("nope.proto").build(),
          ServerReflectionRequest.newBuilder().setFileContainingSymbol("no.Such").build(),
          ServerReflectionRequest.newBuilder().setAllExtensionNumbersOfType("no.Such").build(),
          // An enum is a symbol but not a message type.
          ServerReflectionRequest.newBuilder()
              .setAllExtensionNumbersOfType("tern.services.test.Color").build(),
          ServerReflectionRequest.newBuilder().setFileContainingExtension(
              io.grpc.reflection.v1.ExtensionRequest.newBuilder()
                  .setContainingType("tern.services.test.Base").setExtensionNumber(101)).build());
      for (ServerReflectionRequest req : requests) {
        ServerReflectionResponse r = s.ask(req);
        assertEquals(io.grpc.Status.Code.NOT_FOUND.value(), r.getErrorResponse().getErrorCode(),
            req.toString());
        assertEquals(req, r.getOriginalRequest());
      }
      // The stream carries on after errors.
      assertTrue(s.ask(ServerReflectionRequest.newBuilder().setListServices("").build())
          .hasListServicesResponse());
    }
  }

  @Test
  void v1alphaRebuildsTheSchemaToo() throws Exception {
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionRequest> requests =
        io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(channel)
            .serverReflectionInfo(new Collector<>(events));
    requests.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder()
        .setListServices("").build());
    io.grpc.reflection.v1alpha.ServerReflectionResponse list =
        (io.grpc.reflection.v1alpha.ServerReflectionResponse) take(events);
    assertTrue(list.getListServicesResponse().getServiceList().stream()
        .anyMatch(r -> r.getName().equals(CATALOG)));
    requests.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder()
        .setFileContainingSymbol(CATALOG).build());
    io.grpc.reflection.v1alpha.ServerReflectionResponse files =
        (io.grpc.reflection.v1alpha.ServerReflectionResponse) take(events);
    Map<String, FileDescriptorProto> received = new HashMap<>();
    for (ByteString b : files.getFileDescriptorResponse().getFileDescriptorProtoList()) {
      FileDescriptorProto p = FileDescriptorProto.parseFrom(b);
      received.put(p.getName(), p);
    }
    assertRebuildsCatalog(received);
    requests.onCompleted();
    assertEquals("completed", take(events));
  }

  @Test
  void unboundServiceFailsTheStream() throws Exception {
    ProtoReflectionService unbound = ProtoReflectionService.create();
    TernServer other = TernServer.builder().address(new InetSocketAddress("127.0.0.1", 0))
        .addService(unbound.v1()).build().start();
    ManagedChannel ch =
        NettyChannelBuilder.forAddress("127.0.0.1", other.port()).usePlaintext().build();
    try {
      BlockingQueue<Object> events = new LinkedBlockingQueue<>();
      StreamObserver<ServerReflectionRequest> req =
          ServerReflectionGrpc.newStub(ch).serverReflectionInfo(new Collector<>(events));
      req.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      Object e = take(events);
      assertEquals(io.grpc.Status.Code.UNAVAILABLE, io.grpc.Status.fromThrowable((Throwable) e)
          .getCode());
    } finally {
      ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      other.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** Builds Catalog's file from the received protos alone and checks the service's shape. */
  private static void assertRebuildsCatalog(Map<String, FileDescriptorProto> received)
      throws Exception {
    FileDescriptor catalog =
        build("tern/services/test/catalog.proto", received, new HashMap<>());
    ServiceDescriptor svc = catalog.findServiceByName("Catalog");
    assertNotNull(svc);
    MethodDescriptor get = svc.findMethodByName("Get");
    assertEquals("google.protobuf.Empty", get.getInputType().getFullName());
    assertEquals("tern.services.test.Item", get.getOutputType().getFullName());
    assertTrue(svc.findMethodByName("Follow").isServerStreaming());
    Descriptor item = get.getOutputType();
    assertEquals("tern.services.test.Base", item.findFieldByName("base").getMessageType()
        .getFullName());
    // The rebuilt schema is the one the server compiled.
    assertEquals(CATALOG, svc.getFullName());
    assertEquals(((ServiceDescriptor) CatalogTern.getServiceDescriptor().getSchemaDescriptor())
        .getFile().toProto(), catalog.toProto());
  }

  /** FileDescriptor.buildFrom, dependencies first; fails if any file is missing. */
  private static FileDescriptor build(String name, Map<String, FileDescriptorProto> protos,
      Map<String, FileDescriptor> built) throws Exception {
    FileDescriptor done = built.get(name);
    if (done != null) {
      return done;
    }
    FileDescriptorProto p = protos.get(name);
    assertNotNull(p, "missing file " + name);
    List<FileDescriptor> deps = new ArrayList<>();
    for (String dep : p.getDependencyList()) {
      deps.add(build(dep, protos, built));
    }
    FileDescriptor f = FileDescriptor.buildFrom(p, deps.toArray(new FileDescriptor[0]));
    built.put(name, f);
    return f;
  }

  private static List<String> fileNames(ServerReflectionResponse r) throws Exception {
    assertTrue(r.hasFileDescriptorResponse(), r.toString());
    List<String> names = new ArrayList<>();
    Set<String> unique = new HashSet<>();
    for (ByteString b : r.getFileDescriptorResponse().getFileDescriptorProtoList()) {
      String n = FileDescriptorProto.parseFrom(b).getName();
      names.add(n);
      assertTrue(unique.add(n), "sent twice: " + n);
    }
    return names;
  }

  private static Object take(BlockingQueue<Object> events) throws InterruptedException {
    Object e = events.poll(30, TimeUnit.SECONDS);
    assertNotNull(e, "no response within 30 s");
    return e;
  }

  /** Puts responses, the error, or "completed" on a queue. */
  private static final class Collector<T> implements StreamObserver<T> {
    private final BlockingQueue<Object> events;

    Collector(BlockingQueue<Object> events) {
      this.events = events;
    }

    @Override
    public void onNext(T value) {
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
  }

  /** A v1 reflection stream asked one request at a time. */
  private static final class V1Stream implements AutoCloseable {
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final StreamObserver<ServerReflectionRequest> requests;

    V1Stream(ManagedChannel channel) {
      requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(new Collector<>(events));
    }

    ServerReflectionResponse ask(ServerReflectionRequest request) throws InterruptedException {
      requests.onNext(request);
      Object e = take(events);
      if (e instanceof Throwable t) {
        throw new AssertionError("stream failed", t);
      }
      return (ServerReflectionResponse) e;
    }

    /** Half-closes and expects the server to end the stream with OK. */
    @Override
    public void close() {
      requests.onCompleted();
      try {
        assertEquals("completed", take(events));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
