"""Every bound of the team protocol, in one place.

The server enforces them (``server/``), the client checks what it sends and
what it receives against the same numbers, and ``PROTOCOL.md`` quotes them.
Sizes are in bytes of the decoded value unless a name says otherwise.
"""

from __future__ import annotations

from storage.limits import MAX_SHARED_RECORD

# --- identifiers and names ---------------------------------------------------------------
ID_PATTERN = r"^[0-9a-f]{32}$"  # team, member, push and invite ids: 128 random bits, lowercase hex
RECORD_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,100}$"  # the journal's own ids (incident UUIDs, ...)
KIND_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"  # "incident", "policy", "tombstone", ...
MAX_DISPLAY_NAME_CHARS = 60  # what a member calls themselves ("Mentor 2b", "Directie")
MAX_ROLE_CHARS = 60
MAX_DEVICE_LABEL_CHARS = 60
TOKEN_BYTES = 32  # access token (base64url, 43 characters)

# --- records -----------------------------------------------------------------------------
PAD_BLOCK = 256  # plaintexts are padded to a multiple of this, so sizes say less
GCM_TAG_BYTES = 16  # the AES-GCM tag at the end of every ciphertext


def padded_len(plaintext_len: int) -> int:
    """A plaintext's length once padded (``sync.crypto.pad``: 0x80, then zeros to a multiple of PAD_BLOCK)."""
    return (plaintext_len // PAD_BLOCK + 1) * PAD_BLOCK


#: One record's plaintext: the largest record the journal shares (``storage.limits``), so what
#: can be saved in a shared incident can be sent. An incident with many notes is ~20 KiB.
MAX_RECORD_PLAINTEXT = MAX_SHARED_RECORD
MAX_RECORD_CIPHERTEXT = padded_len(MAX_RECORD_PLAINTEXT) + GCM_TAG_BYTES  # one encrypted record
MAX_RECORDS_PER_PUSH = 100  # a push is also bounded by MAX_REQUEST_BYTES: the client splits by both
MAX_PULL_PAGE = 500  # records per pull page (a client may ask fewer)
MAX_PULL_PAGE_BYTES = 4 * 1024 * 1024  # a page stops early once its ciphertexts reach this (one record fits)

# --- requests ----------------------------------------------------------------------------
MAX_REQUEST_BYTES = 8 * 1024 * 1024  # whole request body of a push (the largest record fits, base64-encoded)
MAX_SMALL_REQUEST_BYTES = 256 * 1024  # whole request body of every other call (an invite bundle fits)
MAX_RESPONSE_BYTES = 16 * 1024 * 1024  # the client refuses larger answers
REQUEST_TIMEOUT_S = 20.0  # client: whole request
CONNECT_TIMEOUT_S = 5.0  # client: connection set-up
KEEPALIVE_S = 4.0  # client: idle connections are dropped after this (under proxies' usual 5 s)
SERVER_KEEPALIVE_S = 30  # server: idle connections are kept this long

# --- the event stream (GET /api/v1/events) ------------------------------------------------------
STREAM_KEEPALIVE_S = 15.0  # server: a comment line when nothing else was sent for this long
STREAM_MAX_AGE_S = 3600.0  # server: a stream is closed after this (the device reconnects at once)
MAX_STREAMS_PER_MEMBER = 4  # server: one device holds one; a few more for tabs and reconnects
STREAM_FIRST_EVENT_S = 5.0  # client: no first event by then = a buffering proxy: poll instead
STREAM_SILENCE_S = 2 * STREAM_KEEPALIVE_S + 5.0  # client: nothing heard for this long = a dead stream
STREAM_RETRY_MIN_S = 1.0  # client: reconnect backoff, doubling, with jitter (x0.5 .. x1.5) ...
STREAM_RETRY_MAX_S = 60.0  # ... up to this
STREAM_BUFFERED_RETRY_S = 600.0  # client: behind a buffering proxy, try streaming again after this
STREAM_DEBOUNCE_S = 0.25  # client: events this close together start one sync round

# --- teams and invites ---------------------------------------------------------------------
MAX_MEMBERS_PER_TEAM = 20  # an action team is two to six people; devices count separately
MAX_PENDING_INVITES = 10  # per team
INVITE_TTL_S = 24 * 3600  # an invite is valid for 24 hours
MAX_INVITE_BUNDLE = 64 * 1024  # encrypted key bundle inside an invite
MAX_KEY_VERSIONS = 1000  # rotations per team (one per removal or leave)
LAST_SEEN_RESOLUTION_S = 300  # a member's last_seen is written at most this often
PUSH_IDS_KEPT = 16  # per member: a push sent again with one of these appends nothing

# --- rates (per server process; see docs/team-server.md) -------------------------------------
# (count, seconds): at most count requests in any window of that many seconds.
RATE_INVITE_LOOKUP = (20, 60)  # per client address: looking up and redeeming invite codes
RATE_TEAM_CREATE = (10, 3600)  # per client address
RATE_PUSH = (120, 60)  # per member
RATE_AUTHENTICATED = (600, 60)  # per member: every other authenticated request
RATE_INVALID_TOKEN = (30, 60)  # per client address: requests with an unknown or malformed token
