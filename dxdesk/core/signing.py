"""Per-site Ed25519 signing keys for export bundles, and the trust store of other sites' keys.

The private key lives ONLY in the OS keyring (service "dxdesk", user
"site-signing-key:<site_id>"), never in a file. Without a usable keyring (no Secret Service on
Linux gives keyring's fail backend) a bundle is written "unsigned" with the reason and the fix.
The trust store (trusted_sites.json in the data dir) maps a site id to its public key and
fingerprint; a supervisor adds a site by importing the PEM file that site exported.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.errors
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from dxdesk.core.files import write_atomically
from dxdesk.core.i18n import tr
from dxdesk.core.settings import SITE_ID_PATTERN

KEYRING_SERVICE = "dxdesk"
TRUST_FILE = "trusted_sites.json"
TRUST_SCHEMA_VERSION = 1
SITE_HEADER = "dxdesk-site:"


def keyring_username(site_id: str) -> str:
    return f"site-signing-key:{site_id}"


class KeyringUnavailable(Exception):
    """No usable OS keyring: ``reason`` says why, ``fix`` what to do."""

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(f"{reason} {fix}")
        self.reason = reason
        self.fix = fix


class SignatureError(ValueError):
    """A signature or a key is missing, unknown or wrong; the message says which."""


class TrustStoreError(ValueError):
    """The trust store or a public-key file cannot be used; the message names the file."""


# keyrings.alt backends that keep secrets in a file readable by anyone who can read the disk.
_PLAINTEXT_BACKENDS = {("keyrings.alt.file", "PlaintextKeyring"), ("keyrings.alt.Gnome", "Keyring")}


def keyring_storage_warning() -> str | None:
    """A sentence for the user when the keyring in use keeps this site's private key in plain
    text (keyrings.alt's PlaintextKeyring, also behind a chainer); None for a real keyring."""
    backend = keyring.get_keyring()
    backends = list(getattr(backend, "backends", None) or [backend])
    for b in backends:
        kind = (type(b).__module__, type(b).__name__)
        if kind in _PLAINTEXT_BACKENDS or "plaintext" in type(b).__name__.lower():
            path = getattr(b, "file_path", "")
            return tr("signing.plaintext_keyring", backend=f"{kind[0]}.{kind[1]}", path=path)
    return None


def _keyring_unavailable(exc: Exception) -> KeyringUnavailable:
    return KeyringUnavailable(
        tr("signing.no_keyring.reason", backend=type(keyring.get_keyring()).__module__, error=exc),
        tr("signing.no_keyring.fix"),
    )


def _check_site_id(site_id: str) -> None:
    if not site_id or not SITE_ID_PATTERN.match(site_id):
        raise SignatureError(tr("signing.bad_site_id", site_id=site_id))


def site_private_key(site_id: str, *, create: bool = True) -> Ed25519PrivateKey:
    """This site's signing key from the keyring, made and stored there on first use."""
    _check_site_id(site_id)
    user = keyring_username(site_id)
    try:
        stored = keyring.get_password(KEYRING_SERVICE, user)
        if stored is None:
            if not create:
                raise SignatureError(tr("signing.no_key", site_id=site_id))
            key = Ed25519PrivateKey.generate()
            raw = key.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
            keyring.set_password(KEYRING_SERVICE, user, base64.b64encode(raw).decode("ascii"))
            # Read it back: a keyring that silently drops secrets must not sign once and forget.
            if keyring.get_password(KEYRING_SERVICE, user) is None:
                raise KeyringUnavailable(tr("signing.keyring_forgot"), tr("signing.no_keyring.fix"))
            return key
    except keyring.errors.KeyringError as exc:
        raise _keyring_unavailable(exc) from exc
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(stored, validate=True))
    except ValueError as exc:
        raise SignatureError(tr("signing.key_damaged", site_id=site_id)) from exc


def public_key_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, as 'SHA256:' + 16 groups of 4 hex digits."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()
    return "SHA256:" + ":".join(digest[i : i + 4] for i in range(0, 64, 4))


@dataclass(frozen=True)
class Signature:
    """The result of signing: either a signature, or 'unsigned' with the reason and the fix."""

    signed: bool
    signature: str = ""  # base64
    fingerprint: str = ""
    reason: str = ""
    fix: str = ""

    def as_manifest(self) -> dict:
        if self.signed:
            return {
                "status": "signed",
                "algorithm": "ed25519",
                "value": self.signature,
                "key_fingerprint": self.fingerprint,
            }
        return {"status": "unsigned", "reason": self.reason, "fix": self.fix}


def sign(site_id: str, data: bytes) -> Signature:
    """Sign ``data`` with the site's key; without a usable keyring, return 'unsigned'."""
    try:
        key = site_private_key(site_id)
    except KeyringUnavailable as exc:
        return Signature(signed=False, reason=exc.reason, fix=exc.fix)
    value = base64.b64encode(key.sign(data)).decode("ascii")
    return Signature(signed=True, signature=value, fingerprint=fingerprint(key.public_key()))


def export_public_key(site_id: str, out: Path) -> str:
    """Write this site's public key as a PEM file headed by the site id; return the fingerprint."""
    public = site_private_key(site_id).public_key()
    fp = fingerprint(public)
    text = f"{SITE_HEADER} {site_id}\nfingerprint: {fp}\n{public_key_pem(public)}"
    write_atomically(out, text.encode("ascii"))
    return fp


def read_public_key_file(path: Path) -> tuple[str, Ed25519PublicKey]:
    """(site_id, key) from a file written by export_public_key."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise TrustStoreError(tr("signing.pubfile_unreadable", path=path, error=exc)) from exc
    site_id = ""
    for line in text.splitlines():
        if line.startswith(SITE_HEADER):
            site_id = line[len(SITE_HEADER) :].strip()
    begin = text.find("-----BEGIN PUBLIC KEY-----")
    if not site_id or begin < 0:
        raise TrustStoreError(tr("signing.pubfile_bad", path=path))
    try:
        key = serialization.load_pem_public_key(text[begin:].encode("ascii"))
    except ValueError as exc:
        raise TrustStoreError(tr("signing.pubfile_bad", path=path)) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise TrustStoreError(tr("signing.pubfile_bad", path=path))
    return site_id, key


class TrustStore:
    """Other sites' public keys that this supervisor trusts, by site id."""

    def __init__(self, path: Path, sites: dict[str, dict] | None = None) -> None:
        self.path = path
        self.sites: dict[str, dict] = sites or {}

    @classmethod
    def load(cls, data_dir: Path) -> TrustStore:
        path = data_dir / TRUST_FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, json.JSONDecodeError) as exc:
            raise TrustStoreError(tr("signing.trust_unreadable", path=path, error=exc)) from exc
        if not isinstance(raw, dict) or raw.get("schema_version") != TRUST_SCHEMA_VERSION:
            raise TrustStoreError(tr("signing.trust_unreadable", path=path, error="schema"))
        return cls(path, dict(raw.get("sites", {})))

    def save(self) -> None:
        payload = {"schema_version": TRUST_SCHEMA_VERSION, "sites": self.sites}
        data = json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        write_atomically(self.path, data.encode("utf-8"))

    def add(self, site_id: str, key: Ed25519PublicKey, *, replace: bool = False) -> str:
        """Trust ``key`` for ``site_id``; a different key for a known site needs replace=True."""
        _check_site_id(site_id)
        fp = fingerprint(key)
        known = self.sites.get(site_id)
        if known and known["fingerprint"] != fp and not replace:
            raise TrustStoreError(
                tr("signing.trust_conflict", site_id=site_id, old=known["fingerprint"], new=fp)
            )
        self.sites[site_id] = {
            "public_key": public_key_pem(key),
            "fingerprint": fp,
            "added_on": dt.date.today().isoformat(),
        }
        return fp

    def allowed_sites(self, signer: str) -> set[str]:
        """The sites whose rows a bundle signed by ``signer`` may carry: its own, and those it
        was trusted for (``sites trust FILE --also-for SITE``, e.g. a regional hub's)."""
        entry = self.sites.get(signer) or {}
        also = entry.get("also_for", [])
        return {signer, *(s for s in also if isinstance(s, str))}

    def trust_also_for(self, signer: str, sites: list[str]) -> None:
        """Let ``signer``'s bundles carry rows of ``sites`` too."""
        for site in sites:
            _check_site_id(site)
        entry = self.sites[signer]
        entry["also_for"] = sorted(set(entry.get("also_for", [])) | set(sites))

    def public_key(self, site_id: str) -> Ed25519PublicKey | None:
        entry = self.sites.get(site_id)
        if entry is None:
            return None
        key = serialization.load_pem_public_key(entry["public_key"].encode("ascii"))
        assert isinstance(key, Ed25519PublicKey)
        return key


def verify(site_id: str, data: bytes, signature: dict, trust: TrustStore) -> None:
    """Raise SignatureError unless ``signature`` over ``data`` is by a key trusted for site_id."""
    if signature.get("status") != "signed":
        raise SignatureError(tr("signing.unsigned", reason=signature.get("reason", "")))
    key = trust.public_key(site_id)
    if key is None:
        raise SignatureError(tr("signing.unknown_site", site_id=site_id))
    try:
        key.verify(base64.b64decode(signature.get("value", ""), validate=True), data)
    except (InvalidSignature, ValueError) as exc:
        raise SignatureError(tr("signing.bad_signature", site_id=site_id)) from exc
