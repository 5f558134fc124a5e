"""Team sharing: end-to-end encrypted sync of shared journal records.

Module map (protocol: ``PROTOCOL.md``):

* ``limits``     — every bound of the protocol (client and server share it);
* ``errors``     — the few typed errors the UI words;
* ``backends``   — the ``SyncCrypto`` and ``Transport`` protocols;
* ``crypto``     — records, key wraps, rotations, invites (pure Python);
* ``transport``  — HTTP status/body to result or typed error (pure Python);
* ``messages``   — strict parsing of every server answer;
* ``state``      — ``TeamState``, what a device keeps (inside its journal);
* ``links``      — the invite link's address (the join screen's route);
* ``client``     — ``TeamClient``: one method per protocol operation;
* ``engine``     — ``SyncEngine`` and the ``SyncedJournal`` protocol;
* ``native``     — ``cryptography`` + ``httpx`` backends;
* ``web``        — WebCrypto + ``fetch`` backends (Pyodide);
* ``testing``    — ``MemoryJournal``, a test double of ``SyncedJournal``.

Nothing here imports Flet or ``storage.journal``: the journal plugs in
through ``SyncedJournal``.
"""
