import { Client, Connection } from '@temporalio/client';

interface TemporalTarget {
  address: string;
  namespace: string;
}

export async function connectClient(target: TemporalTarget): Promise<Client> {
  const connection = await Connection.connect({ address: target.address });
  return new Client({ connection, namespace: target.namespace });
}
