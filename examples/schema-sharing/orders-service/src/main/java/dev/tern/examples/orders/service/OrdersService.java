package dev.tern.examples.orders.service;

import dev.tern.Status;
import dev.tern.examples.orders.v1.Order;
import dev.tern.examples.orders.v1.OrderServiceTern;
import dev.tern.examples.orders.v1.OrderState;
import dev.tern.examples.orders.v1.OrderUpdate;
import dev.tern.examples.orders.v1.PlaceOrderRequest;
import dev.tern.examples.orders.v1.WatchOrderRequest;
import dev.tern.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The OrderService of orders-schema 1.0.0, implemented on the base class this module generated
 * from the schema jar. Thread-safe: calls run concurrently and share only the concurrent map.
 */
public final class OrdersService extends OrderServiceTern.OrderServiceImplBase {
  private final AtomicLong nextId = new AtomicLong(1);
  private final Map<String, Order> orders = new ConcurrentHashMap<>();

  /** Places the order; a quantity below 1 fails the call with INVALID_ARGUMENT. */
  @Override
  public void placeOrder(PlaceOrderRequest request, StreamObserver<Order> responseObserver) {
    if (request.getQuantity() < 1) {
      responseObserver.onError(Status.INVALID_ARGUMENT
          .withDescription("quantity must be at least 1").asRuntimeException());
      return;
    }
    Order order = Order.newBuilder()
        .setId("order-" + nextId.getAndIncrement())
        .setItem(request.getItem())
        .setQuantity(request.getQuantity())
        .setState(OrderState.ORDER_STATE_PLACED)
        .build();
    orders.put(order.getId(), order);
    responseObserver.onNext(order);
    responseObserver.onCompleted();
  }

  /** Streams the order's states from PLACED to DELIVERED; an unknown id is NOT_FOUND. */
  @Override
  public void watchOrder(WatchOrderRequest request, StreamObserver<OrderUpdate> responseObserver) {
    if (!orders.containsKey(request.getId())) {
      responseObserver.onError(Status.NOT_FOUND
          .withDescription("no order " + request.getId()).asRuntimeException());
      return;
    }
    for (OrderState state : new OrderState[] {OrderState.ORDER_STATE_PLACED,
        OrderState.ORDER_STATE_SHIPPED, OrderState.ORDER_STATE_DELIVERED}) {
      responseObserver.onNext(
          OrderUpdate.newBuilder().setId(request.getId()).setState(state).build());
    }
    responseObserver.onCompleted();
  }
}
