"""The file format: test vector, WebCrypto parity, header checks, tampering."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

HELPERS = Path(__file__).resolve().parent / "storage_helpers"
sys.path.insert(0, str(HELPERS))

import storage_vector as vector  # noqa: E402
from storage_testkit import PASS, fast_store, journal_path, rich_incident, run  # noqa: E402

from storage import container as fmt  # noqa: E402
from storage import incidents as inc  # noqa: E402
from storage.errors import (  # noqa: E402
    DamagedFileError,
    NewerFormatError,
    StorageError,
    WrongPassphraseError,
)
from storage.paths import JOURNAL_FILE, open_store  # noqa: E402

FORMAT_MD = Path(fmt.__file__).with_name("FORMAT.md")
WEBCRYPTO_SCRIPT = HELPERS / "webcrypto_vector.mjs"


# -- the test vector ----------------------------------------------------------------


def test_vector_is_reproduced_by_the_code():
    computed = run(vector.compute())
    stored = json.loads(vector.VECTOR_FILE.read_text(encoding="utf-8"))
    assert computed == stored
    blob = base64.b64decode(stored["file_b64"])
    assert hashlib.sha256(blob).hexdigest() == stored["file_sha256_hex"]


def test_format_md_documents_the_same_vector():
    text = FORMAT_MD.read_text(encoding="utf-8")
    flat = re.sub(r"\s+", "", text)
    v = json.loads(vector.VECTOR_FILE.read_text(encoding="utf-8"))
    assert v["file_b64"] in flat
    for key in ("salt_hex", "kek_hex", "data_key_hex", "wrap_nonce_hex", "wrapped_key_hex", "body_nonce_hex", "file_sha256_hex"):
        assert v[key] in flat, key
    header_fields = re.findall(r"^([0-9a-f]{2,})\s", text.split("Header (128 bytes, by field)")[1].split("```")[1], re.M)
    assert "".join(header_fields) == v["header_hex"]
    plaintext = base64.b64decode(v["plaintext_b64"]).decode("utf-8")
    assert plaintext.strip() in text


def test_vector_opens_as_a_journal_at_600k(tmp_path):
    """The documented bytes are a real journal for the app (default settings)."""
    v = json.loads(vector.VECTOR_FILE.read_text(encoding="utf-8"))
    (tmp_path / JOURNAL_FILE).write_bytes(base64.b64decode(v["file_b64"]))
    journal = run(open_store(tmp_path).unlock(v["passphrase"]))
    (incident,) = journal.incidents()
    assert incident.title == "Nepaccount op Instagram"
    assert set(incident.ticked) == {"melder"}
    assert incident.notes[0].text == "Gesprek met de melder, één screenshot bewaard."


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH: the WebCrypto parity check needs Node 20+ (crypto.subtle)")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    major = int(re.match(r"v(\d+)", version).group(1)) if version.startswith("v") else 0
    if major < 20:
        pytest.skip(f"node {version} is too old for the WebCrypto parity check (needs 20+)")
    return node


def _run_webcrypto(vector_path: Path) -> str:
    result = subprocess.run(
        [_node(), str(WEBCRYPTO_SCRIPT), str(vector_path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK"), result.stdout
    return result.stdout


def test_webcrypto_decrypts_and_reproduces_the_vector():
    out = _run_webcrypto(vector.VECTOR_FILE)
    assert "re-encryption=byte-exact" in out


def test_webcrypto_opens_a_compressed_journal_and_a_backup(tmp_path):
    """Files as the app writes them (zlib body of sync-flushed fragments)."""

    async def scenario():
        journal = await open_store(tmp_path).create(PASS)
        await journal.save_many([rich_incident(f"Woord{k}") for k in range(5)])
        return await journal.export_backup("back-up wachtwoord")

    backup = run(scenario())
    for name, blob, passphrase in (
        ("journal", journal_path(tmp_path).read_bytes(), PASS),
        ("backup", backup, "back-up wachtwoord"),
    ):
        assert fmt.parse_header(blob).encoding == fmt.ENCODING_ZLIB
        spec = tmp_path / f"{name}.json"
        spec.write_text(json.dumps({"passphrase": passphrase, "file_b64": base64.b64encode(blob).decode()}))
        out = _run_webcrypto(spec)
        assert "encoding=1" in out and "records=" in out


def test_webcrypto_rejects_a_wrong_passphrase(tmp_path):
    v = json.loads(vector.VECTOR_FILE.read_text(encoding="utf-8"))
    spec = tmp_path / "wrong.json"
    spec.write_text(json.dumps({"passphrase": "verkeerd", "file_b64": v["file_b64"]}))
    result = subprocess.run([_node(), str(WEBCRYPTO_SCRIPT), str(spec)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "unwrap" in result.stdout


# -- body encoding -------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=3000), max_size=12))
def test_segmented_zlib_body_is_an_ordinary_zlib_stream(chunks):
    lines = [c.replace(b"\n", b"") + b"\n" for c in chunks]
    body = fmt.assemble_body([fmt.make_segment(line, fmt.ENCODING_ZLIB) for line in lines], fmt.ENCODING_ZLIB)
    assert zlib.decompress(body) == b"".join(lines)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000), st.binary(max_size=2000))
def test_adler32_combine_matches_zlib(a, b):
    assert fmt.adler32_combine(zlib.adler32(a), zlib.adler32(b), len(b)) == zlib.adler32(a + b)


# -- header policy -------------------------------------------------------------------


def _rechecksum(blob: bytes) -> bytes:
    """Recompute the header checksum, as a deliberate editor would."""
    head = blob[:112]
    return head + hashlib.sha256(head).digest()[:16] + blob[128:]


def _make_journal(tmp_path: Path) -> bytes:
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        await journal.save(rich_incident())

    run(scenario())
    return journal_path(tmp_path).read_bytes()


def _expect_refused(tmp_path: Path, blob: bytes, error=StorageError):
    journal_path(tmp_path).write_bytes(blob)
    (tmp_path / "unlock-attempts.json").unlink(missing_ok=True)
    with pytest.raises(error) as info:
        run(fast_store(tmp_path).unlock(PASS))
    assert journal_path(tmp_path).read_bytes() == blob  # never changed
    return info.value


def test_newer_format_version_is_refused_politely(tmp_path):
    blob = bytearray(_make_journal(tmp_path))
    struct.pack_into(">H", blob, 8, 2)
    err = _expect_refused(tmp_path, _rechecksum(bytes(blob)), NewerFormatError)
    assert (err.found, err.supported) == (2, 1)
    assert err.code == "newer_format"


def test_newer_version_with_a_longer_header_is_also_recognised(tmp_path):
    """Future versions may grow the header; the frozen prefix still tells."""
    blob = _make_journal(tmp_path)
    longer = bytearray(blob[:112] + b"\0" * 64)
    struct.pack_into(">HH", longer, 8, 7, len(longer) + 16)
    future = bytes(longer) + hashlib.sha256(bytes(longer)).digest()[:16] + b"body..." * 10
    err = _expect_refused(tmp_path, future, NewerFormatError)
    assert err.found == 7


def test_downgraded_version_is_refused(tmp_path):
    blob = bytearray(_make_journal(tmp_path))
    struct.pack_into(">H", blob, 8, 0)
    _expect_refused(tmp_path, _rechecksum(bytes(blob)), DamagedFileError)


@pytest.mark.parametrize("iterations", [0, 1, 99_999, 10_000_001, 2**32 - 1])
def test_absurd_iteration_counts_are_refused_without_running_the_kdf(tmp_path, iterations):
    blob = bytearray(_make_journal(tmp_path))
    struct.pack_into(">I", blob, 16, iterations)
    journal_path(tmp_path).write_bytes(_rechecksum(bytes(blob)))
    with pytest.raises(DamagedFileError) as info:
        run(open_store(tmp_path).unlock(PASS))  # default (real) bounds
    assert info.value.reason == "kdf_params"


def test_edited_header_fields_fail_even_with_a_recomputed_checksum(tmp_path):
    """Every field is authenticated: a deliberate edit cannot go unnoticed."""
    blob = _make_journal(tmp_path)
    edits = {
        "kind": (12, 2),
        "iterations": (19, 0xE9),  # 1000 -> 1001
        "salt": (25, None),
        "wrap nonce": (40, None),
        "wrapped key": (60, None),
        "encoding": (96, 0),
        "body nonce": (105, None),
    }
    for name, (offset, value) in edits.items():
        edited = bytearray(blob)
        edited[offset] = value if value is not None else edited[offset] ^ 0x01
        err = _expect_refused(tmp_path, _rechecksum(bytes(edited)), (DamagedFileError, WrongPassphraseError))
        assert isinstance(err, (DamagedFileError, WrongPassphraseError)), name


# -- damage: every byte flip, every truncation -----------------------------------------


def _sample_positions(size: int, rng: random.Random) -> list[int]:
    header = list(range(fmt.HEADER_LEN))
    body = sorted(rng.sample(range(fmt.HEADER_LEN, size), min(60, size - fmt.HEADER_LEN)))
    return header + body + [size - 1]


def test_every_byte_flip_is_detected(tmp_path):
    blob = _make_journal(tmp_path)
    rng = random.Random(1234)
    outcomes = {}
    for pos in _sample_positions(len(blob), rng):
        for mask in (0x01, 0x80, 0xFF):
            damaged = bytearray(blob)
            damaged[pos] ^= mask
            err = _expect_refused(tmp_path, bytes(damaged), (DamagedFileError, WrongPassphraseError, NewerFormatError))
            outcomes[type(err).__name__] = outcomes.get(type(err).__name__, 0) + 1
    # a random flip reads as "damaged" (thanks to the header checksum), never as a wrong passphrase
    assert set(outcomes) == {"DamagedFileError"}, outcomes


def test_every_truncation_is_detected(tmp_path):
    blob = _make_journal(tmp_path)
    lengths = list(range(0, 200)) + list(range(200, len(blob), max(1, len(blob) // 150))) + [len(blob) - 1]
    for n in lengths:
        err = _expect_refused(tmp_path, blob[:n], DamagedFileError)
        assert err.code == "damaged"


def test_appended_bytes_are_detected(tmp_path):
    blob = _make_journal(tmp_path)
    _expect_refused(tmp_path, blob + b"\0", DamagedFileError)


def test_a_backup_put_in_place_of_the_journal_is_refused(tmp_path):
    async def scenario():
        journal = await fast_store(tmp_path).create(PASS)
        await journal.save(rich_incident())
        return await journal.export_backup(PASS)

    backup = run(scenario())
    err = _expect_refused(tmp_path, backup, DamagedFileError)
    assert err.reason == "kind"


def test_parse_header_never_raises_anything_else():
    rng = random.Random(7)
    for n in range(2000):
        blob = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300)))
        if n % 3 == 0:
            blob = fmt.MAGIC + blob
        try:
            fmt.parse_header(blob)
        except StorageError:
            pass


def test_plaintext_helpers_round_trip_unicode():
    records = [{"t": "meta", "schema": 1}, {"t": "incident", "doc": {"x": "één\n\u2028 emoji \U0001F600"}}]
    body = fmt.encode_records(records, fmt.ENCODING_RAW)
    assert body.count(b"\n") == 2
    assert fmt.parse_records(body) == records
    assert inc.time_to_str(rich_incident().created).endswith("Z")
