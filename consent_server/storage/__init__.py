"""The fast path under the domain and the per-database code.

Group commit, per-thread connections, the state cache and its invalidation (a file on
SQLite, LISTEN/NOTIFY on PostgreSQL), lookup caches, SQLite's connection settings, and
getting erased values off the disk.
"""
