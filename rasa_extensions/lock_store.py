"""Redis lock store whose waiting tickets outlive the tickets ahead of them.

Rasa's tickets all live TICKET_LOCK_LIFETIME seconds from when they are issued. When a replica
dies holding a conversation's ticket, the message the gateway re-sends to another replica gets a
ticket issued a moment later, so both expire within the same second; Rasa then waits for a ticket
that no longer exists and the message hangs until the gateway gives up. Here a ticket's lifetime
starts when the tickets ahead of it expire at the latest, so the re-sent message is served as soon
as the dead replica's ticket lapses.
"""
from __future__ import annotations

import time
from typing import Text

from rasa.core.lock import Ticket
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore


class ReplicaRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config) -> None:
        # Rasa hands a custom lock store its endpoint configuration only.
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            lock = self.get_or_create_lock(conversation_id)
            lock.remove_expired_tickets()
            start = max([time.time(), *(t.expires for t in lock.tickets)])
            number = lock.last_issued + 1
            lock.tickets.append(Ticket(number, start + lock_lifetime))
            self.save_lock(lock)
            return number
        except Exception as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc
