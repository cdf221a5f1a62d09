package dev.tern.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import com.google.protobuf.StringValue;
import dev.tern.CallOptions;
import dev.tern.ClientCall;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerServiceDefinition;
import dev.tern.protobuf.ProtoMarshaller;
import dev.tern.stub.ClientCalls;
import dev.tern.stub.ServerCalls;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The extension serves, hands out channels, and fails the tests that leave a call open or leak a
 * buffer (those run as fixtures through the JUnit Platform launcher). Isolated: the fixtures'
 * deliberate leak must not be noticed by another class's gate.
 */
@Isolated
class TernTestServersTest {
  static final String SERVICE = "test.Echo";
  static final MethodDescriptor<StringValue, StringValue> ECHO = MethodDescriptor.newBuilder(
          ProtoMarshaller.of(StringValue.getDefaultInstance()),
          ProtoMarshaller.of(StringValue.getDefaultInstance()))
      .setFullMethodName(SERVICE + "/Echo")
      .setType(MethodDescriptor.MethodType.UNARY)
      .build();
  static final MethodDescriptor<StringValue, StringValue> HOLD = ECHO.toBuilder()
      .setFullMethodName(SERVICE + "/Hold").build();

  /** Echo answers at once; Hold never answers. */
  static ServerServiceDefinition echo() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, responses) -> {
          responses.onNext(request);
          responses.onCompleted();
        }))
        .addMethod(HOLD, (call, headers) -> new ServerCall.Listener<>() {})
        .build();
  }

  @RegisterExtension
  final TernTestServers inProcess = TernTestServers.inProcess();

  @RegisterExtension
  final TernTestServers loopback = TernTestServers.loopback();

  @Test
  void servesTheRegisteredServiceInProcess() {
    inProcess.register(echo());
    assertEquals("hi", ClientCalls.blockingUnaryCall(inProcess.channel(), ECHO,
        CallOptions.DEFAULT, StringValue.of("hi")).getValue());
  }

  @Test
  void servesTheRegisteredServiceOverLoopback() {
    loopback.register(echo());
    assertEquals("hi", ClientCalls.blockingUnaryCall(loopback.channel(), ECHO,
        CallOptions.DEFAULT, StringValue.of("hi")).getValue());
  }

  @Test
  void registerAfterTheServerStartedIsRefused() {
    inProcess.channel();
    assertThrows(IllegalStateException.class, () -> inProcess.register(echo()));
  }

  @Test
  void testThatLeavesACallOpenFails() {
    TestExecutionResult result = runFixture("leavesACallOpen");
    assertEquals(TestExecutionResult.Status.FAILED, result.getStatus(), result::toString);
    String message = result.getThrowable().orElseThrow().getMessage();
    assertTrue(message.contains("still open") && message.contains(SERVICE + "/Hold"), message);
  }

  @Test
  void testThatLeaksABufferFails() {
    String hint = "deliberate leak " + UUID.randomUUID();
    TestExecutionResult result = runFixture("leaksABuffer", hint);
    assertEquals(TestExecutionResult.Status.FAILED, result.getStatus(), result::toString);
    String message = result.getThrowable().orElseThrow().getMessage();
    assertTrue(message.contains("leaked ByteBufs") && message.contains(hint), message);
  }

  @Test
  void testThatEndsItsCallsPasses() {
    TestExecutionResult result = runFixture("endsItsCall");
    assertEquals(TestExecutionResult.Status.SUCCESSFUL, result.getStatus(), result::toString);
  }

  private static TestExecutionResult runFixture(String method) {
    return runFixture(method, "deliberate leak " + UUID.randomUUID());
  }

  private static TestExecutionResult runFixture(String method, String hint) {
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectMethod(Fixtures.class, method))
        .build();
    Map<String, TestExecutionResult> results = new ConcurrentHashMap<>();
    Fixtures.hint = hint;
    try {
      LauncherFactory.create().execute(request, new TestExecutionListener() {
        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
          results.put(id.getLegacyReportingName(), result);
        }
      });
    } finally {
      Fixtures.hint = null;
    }
    TestExecutionResult result = results.get(method + "()");
    assertNotNull(result, "fixture did not run: " + results);
    return result;
  }

  /** Tests as a user might write them; only run through the launcher above. */
  @EnabledIf("launchedByTest")
  static final class Fixtures {
    /** Set while the launcher runs a fixture; unique, as Netty reports one leak once. */
    static volatile String hint;

    static boolean launchedByTest() {
      return hint != null;
    }

    @RegisterExtension
    final TernTestServers servers = TernTestServers.inProcess();

    @Test
    void leavesACallOpen() {
      servers.register(echo());
      ClientCall<StringValue, StringValue> call =
          servers.channel().newCall(HOLD, CallOptions.DEFAULT);
      call.start(new ClientCall.Listener<>() {}, new Metadata());
      call.sendMessage(StringValue.of("x"));
      call.halfClose();
    }

    @Test
    void leaksABuffer() {
      ByteBuf leaked = PooledByteBufAllocator.DEFAULT.buffer(64);
      leaked.writeCharSequence(hint, StandardCharsets.UTF_8);
      leaked.touch(hint);
    }

    @Test
    void endsItsCall() {
      servers.register(echo());
      // The call ends (with its deadline) before the test does.
      assertThrows(dev.tern.StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
          servers.channel(), HOLD,
          CallOptions.DEFAULT.withDeadlineAfter(10, java.util.concurrent.TimeUnit.MILLISECONDS),
          StringValue.of("x")));
    }
  }
}
