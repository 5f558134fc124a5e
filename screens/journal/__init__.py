"""The journal's screens and dialogs: the unlock gate, the incident list, an incident and its
forms, policy, overview, settings and backups, and the session that holds the open journal."""
