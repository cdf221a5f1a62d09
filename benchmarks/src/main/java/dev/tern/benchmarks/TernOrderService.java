package dev.tern.benchmarks;

import dev.tern.Status;
import dev.tern.benchmarks.orders.GetOrderRequest;
import dev.tern.benchmarks.orders.Order;
import dev.tern.benchmarks.orders.OrderServiceTern;
import dev.tern.stub.StreamObserver;

/** Looks an order up by id on Tern: protobuf over HTTP/2. Thread-safe. */
final class TernOrderService extends OrderServiceTern.OrderServiceImplBase {
  @Override
  public void getOrder(GetOrderRequest request, StreamObserver<Order> responses) {
    Order order = Orders.proto(request.getId());
    if (order == null) {
      responses.onError(Status.NOT_FOUND.withDescription("no order " + request.getId())
          .asRuntimeException());
      return;
    }
    responses.onNext(order);
    responses.onCompleted();
  }
}
