package dev.tern.stub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.Deadline;
import dev.tern.MethodDescriptor;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

public class AbstractStubTest {
  /** The smallest concrete stub; also used by dev.tern's InterceptorsTest. */
  public static final class TestStub extends AbstractStub<TestStub> {
    public TestStub(Channel channel, CallOptions options) {
      super(channel, options);
    }

    @Override
    protected TestStub build(Channel channel, CallOptions callOptions) {
      return new TestStub(channel, callOptions);
    }
  }

  private static final Channel CHANNEL = new Channel() {
    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String authority() {
      return "x";
    }
  };

  @Test
  void withMethodsReturnNewStubsAndLeaveTheOriginalAlone() {
    TestStub base = new TestStub(CHANNEL, CallOptions.DEFAULT);
    Executor executor = Runnable::run;
    CallOptions.Key<String> key = CallOptions.Key.createWithDefault("k", "default");
    Deadline deadline = Deadline.after(1, TimeUnit.MINUTES);
    TestStub configured = base
        .withDeadline(deadline)
        .withCompression("gzip")
        .withExecutor(executor)
        .withWaitForReady()
        .withOption(key, "v")
        .withMaxInboundMessageSize(100)
        .withMaxOutboundMessageSize(200);
    assertNotSame(base, configured);
    assertSame(CallOptions.DEFAULT, base.getCallOptions());
    CallOptions o = configured.getCallOptions();
    assertSame(deadline, o.getDeadline());
    assertEquals("gzip", o.getCompressor());
    assertSame(executor, o.getExecutor());
    assertTrue(o.isWaitForReady());
    assertEquals("v", o.getOption(key));
    assertEquals(100, o.getMaxInboundMessageSize());
    assertEquals(200, o.getMaxOutboundMessageSize());
    assertSame(CHANNEL, configured.getChannel());
  }

  @Test
  void withDeadlineAfterSetsADeadlineFromNow() {
    TestStub stub = new TestStub(CHANNEL, CallOptions.DEFAULT).withDeadlineAfter(5, TimeUnit.SECONDS);
    long left = stub.getCallOptions().getDeadline().timeRemaining(TimeUnit.SECONDS);
    assertTrue(left > 0 && left <= 5, "remaining " + left);
    assertNull(stub.withDeadline(null).getCallOptions().getDeadline());
  }

  @Test
  void withInterceptorsWrapsTheChannel() {
    TestStub stub = new TestStub(CHANNEL, CallOptions.DEFAULT)
        .withInterceptors(new ClientInterceptor() {
          @Override
          public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
              MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
            return next.newCall(method, callOptions);
          }
        });
    assertNotSame(CHANNEL, stub.getChannel());
    assertEquals("x", stub.getChannel().authority());
  }
}
