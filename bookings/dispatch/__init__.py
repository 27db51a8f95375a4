"""Dispatch: from a confirmed booking to a worker who has accepted it.

``outbox`` (rounds: create, process, sweep; the offers a round puts out; the on-commit kick),
``offers`` (a worker's answers: accept, decline, expire; their open offers), ``assignment``
(the next worker, moving the hold, a manager's choice, escalation, the dispatch board).
"""
