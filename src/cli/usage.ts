import { DATA_FILES, DEFAULT_DATA_DIR, DEFAULT_PORT } from '../config';
import { DELIVERY_STATUSES } from '../shared/delivery';
import { EVENT_TYPES } from '../shared/event';

const COMMON = `Common flags:
  --api-url <url>       the management API (default: $SIGNAL_API_URL, else http://127.0.0.1:$PORT, PORT ${DEFAULT_PORT})
  --token <token>       an editor or admin token (default: $SIGNAL_ADMIN_TOKEN, else the one npm start keeps in
                        ./${DEFAULT_DATA_DIR}/${DATA_FILES.secrets}; $SIGNAL_DATA_DIR moves ./${DEFAULT_DATA_DIR})
  -h, --help            this text

Times (--since, --until) are a duration ago (30m, 2h, 7d, 1h30m; units s m h d w) or an ISO 8601 date-time with
Z or an offset (2026-11-29T10:00:00Z); they compare with when a delivery started.`;

const REPLAY = `npm run cli -- replay --since <time> [flags]
  Replays deliveries that failed (or are in --status), each as a new run with the original event, so Customer.io
  gets the same event id. Asks the API what it would replay first (a dry run), then replays one by one.

  --status <status>     deliveries in this status (default failed); one of
                        ${DELIVERY_STATUSES.join(', ')}
  --since <time>        started at or after this (required)
  --until <time>        started before this
  --integration <id>    only this integration's deliveries
  --event-type <type>   ${EVENT_TYPES.join(', ')}
  --include-delivered   also replay deliveries that ended delivered or filtered (by themselves or by a replay)
  --limit <n>           look at no more than n deliveries, most recent first (1-1000, default 100)
  --dry-run             print what would be replayed and what skipped, and replay nothing

  Prints progress on stderr (a bar on a terminal, one line per delivery otherwise), then on stdout a summary line
  and one line per replay: <original workflow id> -> <replay workflow id> <run id>.`;

const DELIVERIES = `npm run cli -- deliveries [flags]
  Lists deliveries, most recent first, as a table: time, status, http, attempts, event, customer, workflow id.

  --status <status>     ${DELIVERY_STATUSES.join(', ')}
  --since <time>        started at or after this
  --until <time>        started before this
  --integration <id>    only this integration's deliveries
  --event-type <type>   ${EVENT_TYPES.join(', ')}
  --limit <n>           at most n rows (1-10000, default 50), following the API's pages
  --page-size <n>       rows per API request (1-100, default 100)`;

export function usage(command?: string): string {
  const parts = ['Usage:'];
  const indent = (text: string) => text.replace(/^(?=.)/gm, '  ');
  if (command !== 'deliveries') parts.push(indent(REPLAY));
  if (command !== 'replay') parts.push(indent(DELIVERIES));
  parts.push(COMMON, 'Exit status: 0 done, 1 a replay or an API call failed, 2 bad usage, 130 interrupted.');
  return parts.join('\n\n') + '\n';
}
