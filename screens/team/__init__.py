"""The action team's screens: the members (``members``), creating and joining a team
(``create``, ``join``, with what they share in ``forms``), inviting (``invite``), sharing
an incident (``share``), and the team's sync while the journal is open (``syncing``)."""
