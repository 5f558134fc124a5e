"""The format test vector (storage/FORMAT.md, "Test vector").

Everything random is fixed here, so the output bytes are exact.  The body
uses encoding 0 (raw) so the bytes do not depend on the zlib build.
``python tests/storage_helpers/storage_vector.py`` rewrites format_vector.json.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from storage import container as fmt  # noqa: E402
from storage.native import NativeCrypto  # noqa: E402

VECTOR_FILE = HERE / "format_vector.json"

PASSPHRASE = "Paard batterij niet nietje \u00e9\u00e9n"  # NFC "één"; NFD input must give the same key
SALT = bytes(range(0x10, 0x20))
ITERATIONS = 600_000
DATA_KEY = bytes(range(0x20, 0x40))
WRAP_NONCE = bytes(range(0xA0, 0xAC))
BODY_NONCE = bytes(range(0xB0, 0xBC))
RECORDS = [
    {"t": "meta", "schema": 1},
    {"t": "settings", "doc": {"auto_lock_minutes": 5, "retention_months": 12, "updated": None}},
    {
        "t": "incident",
        "doc": {
            "id": "6f1c5ad2-8d8e-4f67-9a0b-3c2d1e0f4a5b",
            "created": "2025-03-14T09:26:53.000000Z",
            "updated": "2025-03-14T09:30:00.000000Z",
            "revision": 2,
            "title": "Nepaccount op Instagram",
            "type": "nepaccount",
            "type_other": "",
            "reported_at": "2025-03-14T09:15:00.000000Z",
            "reported_by": "mentor 2b",
            "report_channel": "mondeling",
            "pupils": [],
            "team": [],
            "ticks": [
                {"id": "t1", "action": "melder", "ticked": True, "at": "2025-03-14T09:30:00.000000Z", "by": "mentor"}
            ],
            "notes": [
                {
                    "id": "n1",
                    "created_at": "2025-03-14T09:28:00.000000Z",
                    "versions": [
                        {"id": "v1", "at": "2025-03-14T09:28:00.000000Z", "text": "Gesprek met de melder, één screenshot bewaard.", "by": "mentor"}
                    ],
                }
            ],
            "contacts": [],
            "follow_ups": [],
            "status_history": [
                {"id": "s1", "status": "acuut", "at": "2025-03-14T09:26:53.000000Z", "by": "mentor"}
            ],
            "evaluation": {},
            "field_updated": {},
        },
    },
]


async def compute() -> dict:
    crypto = NativeCrypto()
    secret = fmt.normalize_passphrase(PASSPHRASE)
    kek = await crypto.pbkdf2_sha256(secret, SALT, ITERATIONS)
    slot = await fmt.make_key_slot(
        crypto, secret, DATA_KEY, kind=fmt.KIND_JOURNAL, iterations=ITERATIONS, salt=SALT, wrap_nonce=WRAP_NONCE
    )
    plaintext = fmt.encode_records(RECORDS, fmt.ENCODING_RAW)
    blob = await fmt.seal(
        crypto,
        kind=fmt.KIND_JOURNAL,
        slot=slot,
        data_key=DATA_KEY,
        body=plaintext,
        encoding=fmt.ENCODING_RAW,
        body_nonce=BODY_NONCE,
    )
    return {
        "passphrase": PASSPHRASE,
        "passphrase_utf8_hex": secret.hex(),
        "salt_hex": SALT.hex(),
        "iterations": ITERATIONS,
        "kek_hex": kek.hex(),
        "data_key_hex": DATA_KEY.hex(),
        "wrap_nonce_hex": WRAP_NONCE.hex(),
        "wrapped_key_hex": slot.wrapped_key.hex(),
        "body_nonce_hex": BODY_NONCE.hex(),
        "kind": fmt.KIND_JOURNAL,
        "encoding": fmt.ENCODING_RAW,
        "plaintext_b64": base64.b64encode(plaintext).decode(),
        "header_hex": blob[: fmt.HEADER_LEN].hex(),
        "file_b64": base64.b64encode(blob).decode(),
        "file_sha256_hex": __import__("hashlib").sha256(blob).hexdigest(),
    }


def main() -> None:
    vector = asyncio.run(compute())
    VECTOR_FILE.write_text(json.dumps(vector, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(vector, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
