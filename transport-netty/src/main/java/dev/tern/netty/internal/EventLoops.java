package dev.tern.netty.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * The transport's threads: chooses the I/O implementation (native epoll on Linux when its jar is
 * present and loads, NIO otherwise) and makes the default callback executor. Stateless and
 * thread-safe.
 */
public final class EventLoops {
  private static final boolean EPOLL = epollAvailable();

  private EventLoops() {}

  private static boolean epollAvailable() {
    if (Boolean.getBoolean("tern.noNative")) {
      return false;
    }
    try {
      Class.forName("io.netty.channel.epoll.Epoll");
      return Native.available();
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Whether native epoll is in use. */
  public static boolean isNative() {
    return EPOLL;
  }

  /** A new event loop group of {@code threads} daemon threads named {@code name-N}. */
  public static EventLoopGroup newGroup(int threads, String name) {
    IoHandlerFactory factory = EPOLL ? Native.factory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
  }

  /**
   * A new default executor for application callbacks ({@link CallbackPool}): a core of two
   * threads per processor, grown only while every thread is blocked.
   */
  public static ExecutorService newCallbackPool(ThreadFactory threads) {
    return new CallbackPool(2 * Runtime.getRuntime().availableProcessors(), threads);
  }

  public static Class<? extends ServerChannel> serverChannelType() {
    return EPOLL ? Native.serverChannel() : NioServerSocketChannel.class;
  }

  public static Class<? extends io.netty.channel.Channel> channelType() {
    return EPOLL ? Native.channel() : NioSocketChannel.class;
  }

  /** Keeps epoll classes out of reach unless the native jar is on the class path. */
  private static final class Native {
    static boolean available() {
      return io.netty.channel.epoll.Epoll.isAvailable();
    }

    static IoHandlerFactory factory() {
      return io.netty.channel.epoll.EpollIoHandler.newFactory();
    }

    static Class<? extends ServerChannel> serverChannel() {
      return io.netty.channel.epoll.EpollServerSocketChannel.class;
    }

    static Class<? extends io.netty.channel.Channel> channel() {
      return io.netty.channel.epoll.EpollSocketChannel.class;
    }
  }
}
