"""The invite link's address: the join screen of the app, with the code in the fragment.

Light on purpose (no crypto, no HTTP): the app's route table imports it at
start, while the rest of ``sync`` is imported only when the team is used.
"""

from __future__ import annotations

from urllib.parse import urlencode

#: The app's screen that joins a team. An invite link opens the team server's
#: own web app there (hash routing), with the code in the fragment: browsers
#: never send a fragment to a server, so the code stays between the two devices.
JOIN_ROUTE = "/logboek/team/deelnemen"


def invite_link(site_url: str, code: str) -> str:
    """What the QR code holds: a link to the team server's web app that opens the
    join screen with ``code`` filled in; a phone's own camera can open it.

    The code is in the fragment, which no browser sends to any server.
    """
    return f"{site_url.rstrip('/')}/#{JOIN_ROUTE}?{urlencode({'code': code})}"
