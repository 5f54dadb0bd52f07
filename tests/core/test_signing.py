"""Site signing keys in a real keyring backend, the no-keyring path, and the trust store."""

from __future__ import annotations

import json

import keyring
import keyring.backends.fail
import pytest

from dxdesk.core import signing
from dxdesk.core.signing import SignatureError, TrustStore, TrustStoreError


def test_key_made_once_and_kept_only_in_keyring(file_keyring, data_dir):
    first = signing.sign("kita-1", b"manifest")
    second = signing.sign("kita-1", b"manifest")
    assert first.signed and second.signed
    assert first.fingerprint == second.fingerprint  # the same key, read back
    stored = json.loads(file_keyring.path.read_text())
    assert list(stored) == ["dxdesk\x00site-signing-key:kita-1"]
    assert not any(data_dir.iterdir())  # nothing written to the data dir


def test_sign_verify_round_trip_through_exported_pem(file_keyring, data_dir, tmp_path):
    fp = signing.export_public_key("kita-1", tmp_path / "kita-1.pem")
    site_id, key = signing.read_public_key_file(tmp_path / "kita-1.pem")
    assert site_id == "kita-1" and signing.fingerprint(key) == fp
    trust = TrustStore.load(data_dir)
    trust.add(site_id, key)
    trust.save()
    trust = TrustStore.load(data_dir)
    sig = signing.sign("kita-1", b"payload").as_manifest()
    signing.verify("kita-1", b"payload", sig, trust)
    with pytest.raises(SignatureError, match="kita-1"):
        signing.verify("kita-1", b"payloaD", sig, trust)
    with pytest.raises(SignatureError, match="minami-2"):
        signing.verify("minami-2", b"payload", sig, trust)


def test_trust_refuses_a_different_key_without_replace(file_keyring, data_dir, tmp_path):
    signing.export_public_key("kita-1", tmp_path / "a.pem")
    file_keyring.path.unlink()  # the site lost its keyring and made a new key
    signing.export_public_key("kita-1", tmp_path / "b.pem")
    trust = TrustStore.load(data_dir)
    trust.add(*signing.read_public_key_file(tmp_path / "a.pem"))
    with pytest.raises(TrustStoreError, match="--replace"):
        trust.add(*signing.read_public_key_file(tmp_path / "b.pem"))
    trust.add(*signing.read_public_key_file(tmp_path / "b.pem"), replace=True)


def test_no_keyring_gives_unsigned_with_reason_and_fix(no_keyring):
    result = signing.sign("kita-1", b"manifest")
    assert not result.signed
    assert "gnome-keyring" in result.fix
    manifest = result.as_manifest()
    assert manifest["status"] == "unsigned" and manifest["reason"]
    with pytest.raises(SignatureError):
        signing.verify("kita-1", b"manifest", manifest, TrustStore(None))  # type: ignore[arg-type]


def test_real_default_backend_here_is_the_fail_backend():
    # This machine has no Secret Service: what a clerk's PC without one would meet.
    if not isinstance(keyring.get_keyring(), keyring.backends.fail.Keyring):
        pytest.skip("a real keyring is available on this machine")
    assert not signing.sign("kita-1", b"x").signed


def test_bad_public_key_file_is_named(tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("hello")
    with pytest.raises(TrustStoreError, match="bad.pem"):
        signing.read_public_key_file(bad)
