package dev.tern.netty.internal;

import io.netty.handler.codec.Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An {@link Http2Headers} that hands every method to {@link #delegate()}: the base of
 * {@link InboundHeaders}, which serves the few reads the call path makes itself and leaves the
 * rest of Netty's wide interface to a full copy made on first use. Mechanical; no logic here.
 *
 * <p>Thread rule: as its subclass (the event loop that decoded the headers).
 */
abstract class DelegatingHttp2Headers implements Http2Headers {
  /** The headers that answer every call not overridden. */
  abstract Http2Headers delegate();

  /** What a mutator returns: these headers, whatever the delegate returned. */
  private Http2Headers self(Http2Headers ignored) {
    return this;
  }

  @Override
  public CharSequence get(CharSequence name) {
    return delegate().get(name);
  }

  @Override
  public CharSequence get(CharSequence name, CharSequence defaultValue) {
    return delegate().get(name, defaultValue);
  }

  @Override
  public CharSequence getAndRemove(CharSequence name) {
    return delegate().getAndRemove(name);
  }

  @Override
  public CharSequence getAndRemove(CharSequence name, CharSequence defaultValue) {
    return delegate().getAndRemove(name, defaultValue);
  }

  @Override
  public List<CharSequence> getAll(CharSequence name) {
    return delegate().getAll(name);
  }

  @Override
  public List<CharSequence> getAllAndRemove(CharSequence name) {
    return delegate().getAllAndRemove(name);
  }

  @Override
  public Boolean getBoolean(CharSequence name) {
    return delegate().getBoolean(name);
  }

  @Override
  public boolean getBoolean(CharSequence name, boolean defaultValue) {
    return delegate().getBoolean(name, defaultValue);
  }

  @Override
  public Byte getByte(CharSequence name) {
    return delegate().getByte(name);
  }

  @Override
  public byte getByte(CharSequence name, byte defaultValue) {
    return delegate().getByte(name, defaultValue);
  }

  @Override
  public Character getChar(CharSequence name) {
    return delegate().getChar(name);
  }

  @Override
  public char getChar(CharSequence name, char defaultValue) {
    return delegate().getChar(name, defaultValue);
  }

  @Override
  public Short getShort(CharSequence name) {
    return delegate().getShort(name);
  }

  @Override
  public short getShort(CharSequence name, short defaultValue) {
    return delegate().getShort(name, defaultValue);
  }

  @Override
  public Integer getInt(CharSequence name) {
    return delegate().getInt(name);
  }

  @Override
  public int getInt(CharSequence name, int defaultValue) {
    return delegate().getInt(name, defaultValue);
  }

  @Override
  public Long getLong(CharSequence name) {
    return delegate().getLong(name);
  }

  @Override
  public long getLong(CharSequence name, long defaultValue) {
    return delegate().getLong(name, defaultValue);
  }

  @Override
  public Float getFloat(CharSequence name) {
    return delegate().getFloat(name);
  }

  @Override
  public float getFloat(CharSequence name, float defaultValue) {
    return delegate().getFloat(name, defaultValue);
  }

  @Override
  public Double getDouble(CharSequence name) {
    return delegate().getDouble(name);
  }

  @Override
  public double getDouble(CharSequence name, double defaultValue) {
    return delegate().getDouble(name, defaultValue);
  }

  @Override
  public Long getTimeMillis(CharSequence name) {
    return delegate().getTimeMillis(name);
  }

  @Override
  public long getTimeMillis(CharSequence name, long defaultValue) {
    return delegate().getTimeMillis(name, defaultValue);
  }

  @Override
  public Boolean getBooleanAndRemove(CharSequence name) {
    return delegate().getBooleanAndRemove(name);
  }

  @Override
  public boolean getBooleanAndRemove(CharSequence name, boolean defaultValue) {
    return delegate().getBooleanAndRemove(name, defaultValue);
  }

  @Override
  public Byte getByteAndRemove(CharSequence name) {
    return delegate().getByteAndRemove(name);
  }

  @Override
  public byte getByteAndRemove(CharSequence name, byte defaultValue) {
    return delegate().getByteAndRemove(name, defaultValue);
  }

  @Override
  public Character getCharAndRemove(CharSequence name) {
    return delegate().getCharAndRemove(name);
  }

  @Override
  public char getCharAndRemove(CharSequence name, char defaultValue) {
    return delegate().getCharAndRemove(name, defaultValue);
  }

  @Override
  public Short getShortAndRemove(CharSequence name) {
    return delegate().getShortAndRemove(name);
  }

  @Override
  public short getShortAndRemove(CharSequence name, short defaultValue) {
    return delegate().getShortAndRemove(name, defaultValue);
  }

  @Override
  public Integer getIntAndRemove(CharSequence name) {
    return delegate().getIntAndRemove(name);
  }

  @Override
  public int getIntAndRemove(CharSequence name, int defaultValue) {
    return delegate().getIntAndRemove(name, defaultValue);
  }

  @Override
  public Long getLongAndRemove(CharSequence name) {
    return delegate().getLongAndRemove(name);
  }

  @Override
  public long getLongAndRemove(CharSequence name, long defaultValue) {
    return delegate().getLongAndRemove(name, defaultValue);
  }

  @Override
  public Float getFloatAndRemove(CharSequence name) {
    return delegate().getFloatAndRemove(name);
  }

  @Override
  public float getFloatAndRemove(CharSequence name, float defaultValue) {
    return delegate().getFloatAndRemove(name, defaultValue);
  }

  @Override
  public Double getDoubleAndRemove(CharSequence name) {
    return delegate().getDoubleAndRemove(name);
  }

  @Override
  public double getDoubleAndRemove(CharSequence name, double defaultValue) {
    return delegate().getDoubleAndRemove(name, defaultValue);
  }

  @Override
  public Long getTimeMillisAndRemove(CharSequence name) {
    return delegate().getTimeMillisAndRemove(name);
  }

  @Override
  public long getTimeMillisAndRemove(CharSequence name, long defaultValue) {
    return delegate().getTimeMillisAndRemove(name, defaultValue);
  }

  @Override
  public boolean contains(CharSequence name) {
    return delegate().contains(name);
  }

  @Override
  public boolean contains(CharSequence name, CharSequence value) {
    return delegate().contains(name, value);
  }

  @Override
  public boolean containsObject(CharSequence name, Object value) {
    return delegate().containsObject(name, value);
  }

  @Override
  public boolean containsBoolean(CharSequence name, boolean value) {
    return delegate().containsBoolean(name, value);
  }

  @Override
  public boolean containsByte(CharSequence name, byte value) {
    return delegate().containsByte(name, value);
  }

  @Override
  public boolean containsChar(CharSequence name, char value) {
    return delegate().containsChar(name, value);
  }

  @Override
  public boolean containsShort(CharSequence name, short value) {
    return delegate().containsShort(name, value);
  }

  @Override
  public boolean containsInt(CharSequence name, int value) {
    return delegate().containsInt(name, value);
  }

  @Override
  public boolean containsLong(CharSequence name, long value) {
    return delegate().containsLong(name, value);
  }

  @Override
  public boolean containsFloat(CharSequence name, float value) {
    return delegate().containsFloat(name, value);
  }

  @Override
  public boolean containsDouble(CharSequence name, double value) {
    return delegate().containsDouble(name, value);
  }

  @Override
  public boolean containsTimeMillis(CharSequence name, long value) {
    return delegate().containsTimeMillis(name, value);
  }

  @Override
  public int size() {
    return delegate().size();
  }

  @Override
  public boolean isEmpty() {
    return delegate().isEmpty();
  }

  @Override
  public Set<CharSequence> names() {
    return delegate().names();
  }

  @Override
  public Http2Headers add(CharSequence name, CharSequence value) {
    return self(delegate().add(name, value));
  }

  @Override
  public Http2Headers add(CharSequence name, Iterable<? extends CharSequence> values) {
    return self(delegate().add(name, values));
  }

  @Override
  public Http2Headers add(CharSequence name, CharSequence... values) {
    return self(delegate().add(name, values));
  }

  @Override
  public Http2Headers addObject(CharSequence name, Object value) {
    return self(delegate().addObject(name, value));
  }

  @Override
  public Http2Headers addObject(CharSequence name, Iterable<?> values) {
    return self(delegate().addObject(name, values));
  }

  @Override
  public Http2Headers addObject(CharSequence name, Object... values) {
    return self(delegate().addObject(name, values));
  }

  @Override
  public Http2Headers addBoolean(CharSequence name, boolean value) {
    return self(delegate().addBoolean(name, value));
  }

  @Override
  public Http2Headers addByte(CharSequence name, byte value) {
    return self(delegate().addByte(name, value));
  }

  @Override
  public Http2Headers addChar(CharSequence name, char value) {
    return self(delegate().addChar(name, value));
  }

  @Override
  public Http2Headers addShort(CharSequence name, short value) {
    return self(delegate().addShort(name, value));
  }

  @Override
  public Http2Headers addInt(CharSequence name, int value) {
    return self(delegate().addInt(name, value));
  }

  @Override
  public Http2Headers addLong(CharSequence name, long value) {
    return self(delegate().addLong(name, value));
  }

  @Override
  public Http2Headers addFloat(CharSequence name, float value) {
    return self(delegate().addFloat(name, value));
  }

  @Override
  public Http2Headers addDouble(CharSequence name, double value) {
    return self(delegate().addDouble(name, value));
  }

  @Override
  public Http2Headers addTimeMillis(CharSequence name, long value) {
    return self(delegate().addTimeMillis(name, value));
  }

  @Override
  public Http2Headers add(Headers<? extends CharSequence, ? extends CharSequence, ?> headers) {
    return self(delegate().add(headers));
  }

  @Override
  public Http2Headers set(CharSequence name, CharSequence value) {
    return self(delegate().set(name, value));
  }

  @Override
  public Http2Headers set(CharSequence name, Iterable<? extends CharSequence> values) {
    return self(delegate().set(name, values));
  }

  @Override
  public Http2Headers set(CharSequence name, CharSequence... values) {
    return self(delegate().set(name, values));
  }

  @Override
  public Http2Headers setObject(CharSequence name, Object value) {
    return self(delegate().setObject(name, value));
  }

  @Override
  public Http2Headers setObject(CharSequence name, Iterable<?> values) {
    return self(delegate().setObject(name, values));
  }

  @Override
  public Http2Headers setObject(CharSequence name, Object... values) {
    return self(delegate().setObject(name, values));
  }

  @Override
  public Http2Headers setBoolean(CharSequence name, boolean value) {
    return self(delegate().setBoolean(name, value));
  }

  @Override
  public Http2Headers setByte(CharSequence name, byte value) {
    return self(delegate().setByte(name, value));
  }

  @Override
  public Http2Headers setChar(CharSequence name, char value) {
    return self(delegate().setChar(name, value));
  }

  @Override
  public Http2Headers setShort(CharSequence name, short value) {
    return self(delegate().setShort(name, value));
  }

  @Override
  public Http2Headers setInt(CharSequence name, int value) {
    return self(delegate().setInt(name, value));
  }

  @Override
  public Http2Headers setLong(CharSequence name, long value) {
    return self(delegate().setLong(name, value));
  }

  @Override
  public Http2Headers setFloat(CharSequence name, float value) {
    return self(delegate().setFloat(name, value));
  }

  @Override
  public Http2Headers setDouble(CharSequence name, double value) {
    return self(delegate().setDouble(name, value));
  }

  @Override
  public Http2Headers setTimeMillis(CharSequence name, long value) {
    return self(delegate().setTimeMillis(name, value));
  }

  @Override
  public Http2Headers set(Headers<? extends CharSequence, ? extends CharSequence, ?> headers) {
    return self(delegate().set(headers));
  }

  @Override
  public Http2Headers setAll(Headers<? extends CharSequence, ? extends CharSequence, ?> headers) {
    return self(delegate().setAll(headers));
  }

  @Override
  public boolean remove(CharSequence name) {
    return delegate().remove(name);
  }

  @Override
  public Http2Headers clear() {
    return self(delegate().clear());
  }

  @Override
  public Iterator<Map.Entry<CharSequence, CharSequence>> iterator() {
    return delegate().iterator();
  }

  @Override
  public Iterator<CharSequence> valueIterator(CharSequence name) {
    return delegate().valueIterator(name);
  }

  @Override
  public Http2Headers method(CharSequence value) {
    return self(delegate().method(value));
  }

  @Override
  public Http2Headers scheme(CharSequence value) {
    return self(delegate().scheme(value));
  }

  @Override
  public Http2Headers authority(CharSequence value) {
    return self(delegate().authority(value));
  }

  @Override
  public Http2Headers path(CharSequence value) {
    return self(delegate().path(value));
  }

  @Override
  public Http2Headers status(CharSequence value) {
    return self(delegate().status(value));
  }

  @Override
  public CharSequence method() {
    return delegate().method();
  }

  @Override
  public CharSequence scheme() {
    return delegate().scheme();
  }

  @Override
  public CharSequence authority() {
    return delegate().authority();
  }

  @Override
  public CharSequence path() {
    return delegate().path();
  }

  @Override
  public CharSequence status() {
    return delegate().status();
  }

  @Override
  public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
    return delegate().contains(name, value, ignoreCase);
  }

  @Override
  public boolean equals(Object o) {
    return delegate().equals(o);
  }

  @Override
  public int hashCode() {
    return delegate().hashCode();
  }

  @Override
  public String toString() {
    return delegate().toString();
  }
}
