"""Live Innopaja sessions: agenda, focus, timer, locks, hidden notes, dot votes and results.

The rules (`targets`, `agenda`, `timer`, `state`, `votes`, `view`, `record`) are pure: plain
data in, plain data out, no IO. `service` runs them against the session store and the live
documents, which the web layer hands it as callables.
"""
