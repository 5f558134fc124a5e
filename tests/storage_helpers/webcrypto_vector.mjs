// Decrypts (and, when the internals are given, re-encrypts) a journal/backup
// file with WebCrypto only (Node 20's globalThis.crypto.subtle), to prove a
// browser can read the format of storage/FORMAT.md.
//
//   node webcrypto_vector.mjs VECTOR.json
//
// VECTOR.json: {passphrase, file_b64, plaintext_b64?, data_key_hex?,
//               wrapped_key_hex?, kek_hex?, header_hex?}
// Prints "OK ..." and exits 0, or prints "FAIL ..." and exits 1.

import { readFileSync } from "node:fs";

const subtle = globalThis.crypto.subtle;
const te = new TextEncoder();

const hex = (u8) => Buffer.from(u8).toString("hex");
const fromHex = (s) => new Uint8Array(Buffer.from(s, "hex"));
const fromB64 = (s) => new Uint8Array(Buffer.from(s, "base64"));
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

function fail(message) {
  console.log(`FAIL ${message}`);
  process.exit(1);
}

async function inflate(bytes) {
  // zlib (RFC 1950) stream: "deflate" in the Compression Streams API.
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const MAGIC = [0x89, 0x53, 0x4f, 0x49, 0x0d, 0x0a, 0x1a, 0x0a];

async function main() {
  const v = JSON.parse(readFileSync(process.argv[2], "utf8"));
  const file = fromB64(v.file_b64);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);

  // Header (storage/FORMAT.md): big-endian fields.
  if (!MAGIC.every((b, i) => file[i] === b)) fail("magic");
  const version = view.getUint16(8);
  const headerLen = view.getUint16(10);
  if (version !== 1 || headerLen !== 128) fail(`version ${version} / header length ${headerLen}`);
  const header = file.subarray(0, 128);
  const digest = new Uint8Array(await subtle.digest("SHA-256", header.subarray(0, 112)));
  if (!equal(digest.subarray(0, 16), header.subarray(112, 128))) fail("header checksum");
  const kind = file[12];
  const kdf = file[13];
  const iterations = view.getUint32(16);
  const salt = file.subarray(20, 36);
  const wrapNonce = file.subarray(36, 48);
  const wrappedKey = file.subarray(48, 96);
  const encoding = file[96];
  const bodyNonce = file.subarray(100, 112);
  if (kdf !== 1) fail(`kdf ${kdf}`);
  if (iterations < 100000 || iterations > 10000000) fail(`iterations ${iterations}`);
  if (v.header_hex && hex(header) !== v.header_hex) fail("header bytes differ from the vector");

  // PBKDF2-HMAC-SHA256 over the NFC-normalised UTF-8 passphrase -> 256-bit KEK.
  const passphrase = te.encode(v.passphrase.normalize("NFC"));
  const base = await subtle.importKey("raw", passphrase, "PBKDF2", false, ["deriveBits", "deriveKey"]);
  const pbkdf2 = { name: "PBKDF2", hash: "SHA-256", salt, iterations };
  if (v.kek_hex) {
    const bits = new Uint8Array(await subtle.deriveBits(pbkdf2, base, 256));
    if (hex(bits) !== v.kek_hex) fail("KEK differs");
  }
  const kek = await subtle.deriveKey(pbkdf2, base, { name: "AES-GCM", length: 256 }, false, ["wrapKey", "unwrapKey"]);

  // Unwrap the data key: AES-GCM, associated data = header[0:36].
  const wrapParams = { name: "AES-GCM", iv: wrapNonce, additionalData: header.subarray(0, 36), tagLength: 128 };
  let dataKey;
  try {
    dataKey = await subtle.unwrapKey("raw", wrappedKey, kek, wrapParams, { name: "AES-GCM" }, true, ["encrypt", "decrypt"]);
  } catch (e) {
    fail(`unwrap (wrong passphrase?): ${e}`);
  }
  const rawKey = new Uint8Array(await subtle.exportKey("raw", dataKey));
  if (v.data_key_hex && hex(rawKey) !== v.data_key_hex) fail("data key differs");

  // Body: AES-GCM(data key, body nonce), associated data = the whole 128-byte header,
  // ciphertext || 16-byte tag (WebCrypto's own layout).
  const bodyParams = { name: "AES-GCM", iv: bodyNonce, additionalData: header, tagLength: 128 };
  let body;
  try {
    body = new Uint8Array(await subtle.decrypt(bodyParams, dataKey, file.subarray(128)));
  } catch (e) {
    fail(`body does not authenticate: ${e}`);
  }
  const plaintext = encoding === 1 ? await inflate(body) : body;
  if (v.plaintext_b64 && !equal(plaintext, fromB64(v.plaintext_b64))) fail("plaintext differs");
  const lines = new TextDecoder("utf-8", { fatal: true }).decode(plaintext).split("\n");
  const meta = JSON.parse(lines[0]);
  if (meta.t !== "meta") fail("first record is not meta");
  const records = lines.slice(1, -1).map((l) => JSON.parse(l));

  // Tampering with any header byte must make the body fail to authenticate.
  const tampered = new Uint8Array(header);
  tampered[96] ^= 0x01;
  let tamperDetected = false;
  try {
    await subtle.decrypt({ ...bodyParams, additionalData: tampered }, dataKey, file.subarray(128));
  } catch {
    tamperDetected = true;
  }
  if (!tamperDetected) fail("a changed header byte was not detected");

  // Re-encrypt with the same inputs: WebCrypto must produce the exact same bytes.
  let reproduced = "not checked";
  if (v.data_key_hex && v.plaintext_b64) {
    const wrapped = new Uint8Array(await subtle.wrapKey("raw", dataKey, kek, wrapParams));
    if (!equal(wrapped, wrappedKey)) fail("re-wrapped key differs");
    const ct = new Uint8Array(await subtle.encrypt(bodyParams, dataKey, fromB64(v.plaintext_b64)));
    if (!equal(ct, file.subarray(128))) fail("re-encrypted body differs");
    reproduced = "byte-exact";
  }
  console.log(
    `OK kind=${kind} iterations=${iterations} encoding=${encoding} records=${records.length} ` +
      `plaintext=${plaintext.length}B re-encryption=${reproduced}`,
  );
}

main().catch((e) => fail(String(e && e.stack ? e.stack : e)));
