import { openDatabase } from '../store/database';
import { OrderBook } from '../store/order-book';

/**
 * The order book of the service's database (DATABASE_URL, the one the API and workers use; the service migrates it),
 * for callers of the typed client that start deliveries themselves: pass `book` as `orderBook` to startDelivery or
 * startDeliveries, and `close()` when done.
 */
export function openOrderBook(databaseUrl: string): { book: OrderBook; close(): Promise<void> } {
  const handle = openDatabase(databaseUrl);
  return { book: new OrderBook(handle.db), close: () => handle.close() };
}
