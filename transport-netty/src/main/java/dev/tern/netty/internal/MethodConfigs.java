package dev.tern.netty.internal;

import dev.tern.CallOptions;
import dev.tern.Deadline;
import dev.tern.internal.ServiceConfig;
import dev.tern.retry.HedgingPolicy;
import dev.tern.retry.RetryPolicy;
import java.util.concurrent.TimeUnit;

/**
 * Applies a service config's {@code methodConfig} (gRFC A2) to a call's options, with grpc-java's
 * precedence: the earlier of the call's deadline and the config's {@code timeout}; the smaller of
 * the call's and the config's message size limits; {@code waitForReady: true} turns
 * wait-for-ready on (a call that asked for it keeps it); the config's retry or hedging policy
 * unless the call's options or the channel's builder set one. Stateless.
 */
public final class MethodConfigs {
  private MethodConfigs() {}

  /**
   * {@code options} with {@code config} applied.
   *
   * @param channelHasPolicy whether the channel's builder set a retry or hedging policy
   */
  public static CallOptions apply(ServiceConfig.MethodConfig config, CallOptions options,
      boolean channelHasPolicy) {
    CallOptions out = options;
    if (config.timeout() != null) {
      Deadline fromConfig = Deadline.after(config.timeout().toNanos(), TimeUnit.NANOSECONDS);
      Deadline current = out.getDeadline();
      if (current == null || fromConfig.isBefore(current)) {
        out = out.withDeadline(fromConfig);
      }
    }
    if (Boolean.TRUE.equals(config.waitForReady()) && !out.isWaitForReady()) {
      out = out.withWaitForReady();
    }
    if (config.maxRequestMessageBytes() != null) {
      int current = out.getMaxOutboundMessageSize();
      int limit = config.maxRequestMessageBytes();
      if (current < 0 || limit < current) {
        out = out.withMaxOutboundMessageSize(limit);
      }
    }
    if (config.maxResponseMessageBytes() != null) {
      int current = out.getMaxInboundMessageSize();
      int limit = config.maxResponseMessageBytes();
      if (current < 0 || limit < current) {
        out = out.withMaxInboundMessageSize(limit);
      }
    }
    if (!channelHasPolicy && out.getOption(RetryPolicy.CALL_OPTION) == null
        && out.getOption(HedgingPolicy.CALL_OPTION) == null) {
      if (config.retryPolicy() != null) {
        out = out.withOption(RetryPolicy.CALL_OPTION, config.retryPolicy());
      } else if (config.hedgingPolicy() != null) {
        out = out.withOption(HedgingPolicy.CALL_OPTION, config.hedgingPolicy().toPolicy());
      }
    }
    return out;
  }
}
