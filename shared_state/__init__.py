"""State that more than one process must see: the gateway's rate limits, WeChat's message claims,
replay nonces, numbered choices, access token and outbox, ratings of answers, handoff requests.

Each concern has one store class (in bot/ or actions/) written once over one of two small
interfaces defined here, and the address it is given picks the backend:
- `sql.open_database`: records that must last (ratings, handoffs, the WeChat outbox) in SQLite
  (a file path, the default) or PostgreSQL (a postgresql:// address);
- `expiring.open_expiring`: short-lived keys with a time to live (claims, nonces, choices, the
  access token) in SQLite or Redis (a redis:// address).
`settings.StateSettings` reads which addresses are configured. Every backend reports a failure as
`errors.StoreUnavailable`, so callers answer with an apology instead of a stack trace.
"""
