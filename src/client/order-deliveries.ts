import { DEFAULT_ORDER_WAIT_MINUTES, type PublicConfig } from '../customerio/config';
import type { SettledDelivery } from '../customerio/delivery-input';
import { orderKeyOf } from '../customerio/order-key';
import { minutes } from '../shared/time';
import type { OrderBook } from '../store/order-book';
import { deliveryRunWorkflowId } from '../shared/names';

/**
 * Places a request's settled deliveries to one integration in their people's order (issue 16), in one transaction
 * of the order book, before any of them starts: each comes back with `input.order` (its sequence and what it waits
 * for), unless it is not ordered (nothing will be sent, or it names no one) or the integration turned ordering off
 * (`order_wait_minutes` 0: no write at all). Array order is handover order. Within the request the runs may then
 * start in any order and at once: the waiting happens in the workflow.
 */
export async function takeOrder(
  book: OrderBook,
  integrationId: string,
  deliveries: SettledDelivery[],
  config: Pick<Partial<PublicConfig>, 'order_wait_minutes'> | undefined,
): Promise<SettledDelivery[]> {
  const waitMinutes = config?.order_wait_minutes ?? DEFAULT_ORDER_WAIT_MINUTES;
  if (waitMinutes <= 0) return deliveries;
  const keyed = deliveries.map((d) => ({
    delivery: d,
    key: d.input.replayOf ? undefined : orderKeyOf(d.input, d.action),
  }));
  const handovers = keyed.flatMap(({ delivery, key }) =>
    key ? [{ workflowId: deliveryRunWorkflowId(delivery.input), key: key.key, barrier: key.barrier }] : [],
  );
  const places = await book.take(integrationId, handovers);
  let next = 0;
  return keyed.map(({ delivery, key }) => {
    if (!key) return delivery;
    const { seq, waitFor } = places[next++]!;
    const order = { key: key.key, seq, waitFor, barrier: key.barrier, waitLimitMs: minutes(waitMinutes) };
    return { ...delivery, input: { ...delivery.input, order } };
  });
}
