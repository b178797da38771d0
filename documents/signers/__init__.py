"""Who holds the private keys: the signer backends behind every digital signature (ký số).

`signer_for(user)` and `agency_signer()` give a pyHanko ``Signer`` for a leader's signature at
sign-off and for the agency's at issuance, chosen by settings.SIGNING:

- ``"demo-files"``: PEM key files on the server (`manage.py make_demo_pki`). For the demo and
  development only: `manage.py check --deploy` warns (vanthu.W001) when DEBUG is off.
- ``"pkcs11"``: the key stays on a USB token or an HSM (pyHanko's PKCS11Signer); the server
  holds the PIN, read from an environment variable or a file, never from the repository.
- ``"csc"``: remote signing through the Cloud Signature Consortium API (pyHanko's CSCSigner),
  as VNPT SmartCA or Viettel MySign offer it; the server holds an API token, never the key.
- ``"client"``: the leader's USB token in their own browser, through the signing service on
  their computer (documents.client_signing); the server holds only the certificate, so it
  never signs for them: sign-off prepares the PDF and waits (`is_client`, `client_certificates`).

settings.SIGNING["BACKEND"] is the default for everyone (a mode name, or a dict with "mode"
and the mode's options); SIGNING["SIGNERS"] = {username: {...}} overrides it per signer and
SIGNING["AGENCY"] for the agency's seal, key by key. "{username}" in a string option becomes
the signer's username ("agency" for the agency), so one entry can name every signer's key.
docs/signing.md lists the options.

Whatever goes wrong (no token, wrong PIN, service down, key missing) is a ValidationError
with a Vietnamese message: the step is refused cleanly (or the background job records the
reason), never a 500. `signing_as(user)` wraps a signature: it makes the signer, turns
failures while signing into ValidationError too, and closes the token session afterwards.

`sign_data` and `verify_data` sign and check small blobs (the audit trail's checkpoints) as
detached CMS SignedData.
"""

from __future__ import annotations

from .backends import demo_agency_credentials, demo_signer_credentials
from .client import client_certificates, is_client
from .cms import sign_data, verify_data
from .config import (
    AGENCY,
    CLIENT,
    CSC,
    DEMO_FILES,
    MODES,
    PKCS11,
    ConfigurationError,
    configured_specs,
    demo_files_users,
    spec_for,
)
from .core import agency_signer, check_signer, refusing, release, signer_for, signing_as

__all__ = [
    "AGENCY",
    "CLIENT",
    "CSC",
    "ConfigurationError",
    "DEMO_FILES",
    "MODES",
    "PKCS11",
    "agency_signer",
    "check_signer",
    "client_certificates",
    "configured_specs",
    "demo_agency_credentials",
    "demo_files_users",
    "demo_signer_credentials",
    "is_client",
    "refusing",
    "release",
    "sign_data",
    "signer_for",
    "signing_as",
    "spec_for",
    "verify_data",
]
