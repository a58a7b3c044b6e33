import { randomBytes } from 'node:crypto';

/** Row ids: a readable prefix (int_, rev_, tok_, pk_, log_) and 80 random bits. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(10).toString('hex')}`;
}
