package dev.tern.netty.internal;

import dev.tern.Codec;
import dev.tern.Marshaller;
import dev.tern.internal.Compression;
import dev.tern.internal.MessageDeframer;
import dev.tern.internal.MessageFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelPromise;
import java.util.function.BooleanSupplier;

/**
 * The outbound half of one call, shared by client and server calls: frames and compresses
 * messages on the application's thread, holds them in the call's {@link SendBuffer} until Netty
 * has written them, and tells readiness ({@code isReady}/{@code onReady}).
 *
 * <ul>
 *   <li><b>Framing</b> (PROTOCOL-HTTP2.md "Length-Prefixed-Message") with core's
 *       {@link MessageFramer}; the outbound size limit applies to the uncompressed size.
 *   <li><b>Compression</b> with the call's codec unless turned off per message; a message that
 *       would not shrink goes uncompressed (the flag says which).
 *   <li><b>Memory</b>: {@link #awaitRoom} blocks a sender past the send buffer limit until bytes
 *       drain or the call ends; on an event loop, which must not block, it answers
 *       {@link SendBuffer.Room#CANNOT_BLOCK} and the call fails itself.
 *   <li><b>Readiness</b>: {@link #isReady} and the {@link DataSink#onReady} edge, per
 *       {@link SendBuffer}'s rules.
 *   <li><b>Batching</b> ({@link #queue}, {@link #writeQueued}): messages a sender queues while
 *       the event loop has not yet run the command of the first ride with it, written as one
 *       DATA write: one promise, one send-buffer listener and one flow-controller entry per
 *       batch instead of per message, and one write-queue command.
 * </ul>
 *
 * <p>Each framed message's bytes are {@linkplain #account accounted} once and released from the
 * count exactly once: written ({@link #write} with those bytes) or {@linkplain #dropped dropped}.
 * Copies written again (retry replays, hedges) carry 0 bytes.
 *
 * <p>Thread rule: {@link #frame}, {@link #lastUncompressedSize}, {@link #account},
 * {@link #awaitRoom}, {@link #queue}, {@link #markDue} and {@link #isReady} on the application's
 * thread (any one at a time); {@link #write}, {@link #writeLast}, {@link #writeQueued},
 * {@link #takeBatch}, {@link #drop} and {@link #dropQueued} on the event loop; {@link #dropped}
 * on either; the batch between them is guarded by this object's monitor.
 */
class MessageWriter {
  /**
   * One HTTP/2 stream's outbound DATA, as the writer needs it. Event loop only.
   */
  interface DataSink {
    ChannelPromise newPromise();

    /** Writes {@code data} (owned by the callee) on the stream, flow-controlled. */
    void writeData(ByteBuf data, boolean endOfStream, ChannelPromise promise);

    /** The stream's send window now (RFC 9113 §6.9); 0 if it has none yet. */
    int sendWindow();

    /** The call just became ready to send more. */
    void onReady();
  }

  private final SendBuffer sendBuffer;
  private final int sendBufferLimit;
  private final int maxMessageSize;
  private final ByteBufAllocator alloc;
  /** The call's encoding; null for identity. Application thread. */
  private Codec codec;
  private boolean messageCompression = true;
  /** The serialized size of the last message {@link #frame} returned. Application thread. */
  private int lastUncompressedSize;
  // The batch queued for the event loop (guarded by this): null, one frame, or (batched) a
  // composite of several; the bytes accounted for it; and whether a command that takes it is
  // already queued (a batch may also carry what the owner adds under this monitor: see markDue).
  private ByteBuf queued;
  private boolean batched;
  private int queuedBytes;
  private boolean due;
  /** The bytes accounted for the batch {@link #takeBatch} last returned. Event loop. */
  private int takenBytes;

  MessageWriter(int sendBufferLimit, int maxMessageSize, ByteBufAllocator alloc) {
    this.sendBuffer = new SendBuffer(sendBufferLimit);
    this.sendBufferLimit = sendBufferLimit;
    this.maxMessageSize = maxMessageSize;
    this.alloc = alloc;
  }

  void setCodec(Codec codec) {
    this.codec = codec;
  }

  Codec codec() {
    return codec;
  }

  void setMessageCompression(boolean enabled) {
    this.messageCompression = enabled;
  }

  int sendBufferLimit() {
    return sendBufferLimit;
  }

  /**
   * Waits, if the send buffer is full, until it has room or {@code ended} turns true. Costs
   * nothing when there is room.
   */
  SendBuffer.Room awaitRoom(BooleanSupplier ended) {
    return sendBuffer.hasRoom() ? SendBuffer.Room.AVAILABLE : sendBuffer.awaitRoom(ended);
  }

  /**
   * Serializes, frames and (if enabled) compresses {@code message}: the prefix and message
   * bytes, owned by the caller. Its serialized size before compression is then
   * {@link #lastUncompressedSize()} (a field rather than a pair object: nothing to allocate per
   * message).
   *
   * @throws dev.tern.StatusRuntimeException RESOURCE_EXHAUSTED over the limit, INTERNAL if it
   *     cannot be serialized or compressed
   */
  <T> ByteBuf frame(Marshaller<T> marshaller, T message) {
    ByteBuf plain = MessageFramer.frame(marshaller, message, alloc, maxMessageSize);
    lastUncompressedSize = plain.readableBytes() - MessageDeframer.HEADER_LENGTH;
    Codec c = messageCompression ? codec : null;
    return c == null ? plain : Compression.compressFramed(plain, alloc, c);
  }

  /** The serialized size, without the prefix, of the message {@link #frame} last returned. */
  int lastUncompressedSize() {
    return lastUncompressedSize;
  }

  /** The size on the wire of a framed message, without the 5-byte prefix. */
  static int wireSize(ByteBuf frame) {
    return frame.readableBytes() - MessageDeframer.HEADER_LENGTH;
  }

  /** Counts {@code bytes} of a framed message as held until written or dropped. */
  void account(int bytes) {
    sendBuffer.add(bytes);
  }

  boolean isReady() {
    return sendBuffer.isReady();
  }

  /**
   * Event loop: writes {@code frame} on {@code sink}; {@code bytes} is what was accounted for it
   * (0 for a copy written again).
   */
  void write(DataSink sink, ByteBuf frame, int bytes, boolean endOfStream) {
    ChannelPromise promise = sink.newPromise();
    if (bytes > 0) {
      promise.addListener(f -> {
        if (sendBuffer.sent(bytes, sink.sendWindow())) {
          sink.onReady();
        }
      });
    }
    sink.writeData(frame, endOfStream, promise);
    if (bytes > 0 && sendBuffer.handedOff(bytes, sink.sendWindow())) {
      sink.onReady();
    }
  }

  /**
   * Application thread: adds {@code frame}, for which {@code bytes} were
   * {@linkplain #account accounted}, to the batch the event loop writes next. Returns true if
   * the batch was empty: the caller then queues one command that calls {@link #writeQueued}
   * (or {@link #dropQueued}); frames queued before that command runs ride with it, in order.
   * No bound of its own: the send buffer's limit holds a sender that ignores readiness.
   */
  boolean queue(ByteBuf frame, int bytes) {
    synchronized (this) {
      queuedBytes += bytes;
      if (queued == null) {
        queued = frame;
        return markDue();
      }
      if (!batched) {
        // No component limit: a limit would make the composite copy everything into one
        // buffer when reached; the send buffer's limit bounds the batch instead.
        CompositeByteBuf composite = alloc.compositeBuffer(Integer.MAX_VALUE);
        composite.addComponent(true, queued);
        queued = composite;
        batched = true;
      }
      ((CompositeByteBuf) queued).addComponent(true, frame);
      return markDue();
    }
  }

  /**
   * Notes that the batch holds something the event loop must act on: returns true if no command
   * that takes the batch is queued yet (the caller then queues one). For owners that keep more
   * in the batch than frames (a server call's headers and status), under this writer's monitor.
   */
  synchronized boolean markDue() {
    boolean first = !due;
    due = true;
    return first;
  }

  /**
   * Event loop: takes the queued frames (null if none; {@link #takenBytes} says how many bytes
   * were accounted for them); the next {@link #queue} or {@link #markDue} asks for a command.
   */
  synchronized ByteBuf takeBatch() {
    ByteBuf batch = queued;
    takenBytes = queuedBytes;
    queued = null;
    batched = false;
    queuedBytes = 0;
    due = false;
    return batch;
  }

  /** The bytes accounted for the frames {@link #takeBatch} last returned. Event loop. */
  int takenBytes() {
    return takenBytes;
  }

  /** Event loop: writes the queued batch, if any, as one DATA write on {@code sink}. */
  void writeQueued(DataSink sink) {
    takeQueued(sink);
  }

  /** Event loop: the call ended; releases the queued batch, which will never be written. */
  void dropQueued() {
    takeQueued(null);
  }

  /** Takes the queued batch: writes it on {@code sink}, or drops it if null. */
  private void takeQueued(DataSink sink) {
    ByteBuf batch = takeBatch();
    if (batch == null) {
      return;
    }
    if (sink != null) {
      write(sink, batch, takenBytes, false);
    } else {
      drop(batch, takenBytes);
    }
  }

  /** Event loop: releases {@code frames}, for which {@code bytes} were accounted, unwritten. */
  void drop(ByteBuf frames, int bytes) {
    frames.release();
    dropped(bytes);
  }

  /**
   * Event loop: writes the last frames of a call whose end follows at once. Nothing will be
   * sent after them, so neither readiness nor the memory bound needs to hear when they reach the
   * socket: their bytes leave the count now, and the write takes no listener.
   */
  void writeLast(DataSink sink, ByteBuf frames, int bytes) {
    sink.writeData(frames, false, sink.newPromise());
    dropped(bytes);
  }

  /** Event loop: a message of {@code bytes} accounted bytes will never be written. */
  void dropped(int bytes) {
    if (bytes > 0) {
      sendBuffer.dropped(bytes);
    }
  }

  /** Wakes senders blocked in {@link #awaitRoom}, e.g. because the call ended. */
  void wake() {
    sendBuffer.wake();
  }
}
