"""Merchant webhooks: a store's endpoints hear of its gifts, orders and parcels.

- `services`: endpoints (create, change, rotate the secret, remove; owners only), and `webhook_emit`,
  which the other apps call in the transaction that made the news (gifts.events, orders.events,
  logistics.events);
- `delivery`: the outbox consumer that sends one delivery, and its retry schedule;
- `signing`: the Standard Webhooks signature (`webhook-id`, `webhook-timestamp`, `webhook-signature`);
- `safety`: which URLs may be called (https, never loopback or private addresses, at registration
  and again at each delivery against DNS rebinding) and the HTTP call to the address it vetted;
- `selectors`: the console's and the API's reads (endpoints, the delivery log).
"""
