"""Keys and certificates for digital signatures: loading them from PEM files, and making a
throw-away CA with its certificates for tests and the demo (never for production)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, mldsa, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

KEY_BITS = 2048
# The keys that can sign a certificate: cryptography's CertificateIssuerPrivateKeyTypes.
_ISSUER_KEY_TYPES = (
    rsa.RSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    dsa.DSAPrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
    mldsa.MLDSA44PrivateKey,
    mldsa.MLDSA65PrivateKey,
    mldsa.MLDSA87PrivateKey,
)


@dataclass(frozen=True)
class Credentials:
    """A private key, its certificate, and the CA certificates that lead to a root."""

    key: PrivateKeyTypes
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()


def _name(common_name: str, organization: str, unit: str = "") -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
    ]
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def make_ca(*, common_name: str, organization: str, days: int = 3650) -> Credentials:
    """A self-signed root CA that may issue end-entity certificates only."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    name = _name(common_name, organization)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - dt.timedelta(days=1))
        .not_valid_after(_now() + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return Credentials(key=key, cert=cert)


def issue(
    ca: Credentials, *, common_name: str, organization: str, unit: str = "", days: int = 730
) -> Credentials:
    """A signing certificate for a person or for the agency, issued by the CA."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    ca_ski = ca.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    ca_key = ca.key
    if not isinstance(ca_key, _ISSUER_KEY_TYPES):
        # The TypeError cryptography's sign() would raise for such a key.
        raise TypeError(f"a {type(ca_key).__name__} cannot sign certificates")
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organization, unit))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - dt.timedelta(days=1))
        .not_valid_after(_now() + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return Credentials(key=key, cert=cert, chain=(ca.cert, *ca.chain))


def _encryption(passphrase: str) -> serialization.KeySerializationEncryption:
    if passphrase:
        return serialization.BestAvailableEncryption(passphrase.encode())
    return serialization.NoEncryption()


def write(
    credentials: Credentials, *, key_path: Path, cert_path: Path, passphrase: str = ""
) -> None:
    """Write the key (PKCS#8 PEM, mode 600) and the certificate followed by its chain."""
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_pem = credentials.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, _encryption(passphrase)
    )
    key_path.write_bytes(key_pem)
    key_path.chmod(0o600)
    certificates = (credentials.cert, *credentials.chain)
    cert_path.write_bytes(
        b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)
    )


def load_certificates(path: Path) -> list[x509.Certificate]:
    """Every certificate in a PEM file, in file order."""
    return x509.load_pem_x509_certificates(Path(path).read_bytes())


def load(*, key_path: Path, cert_path: Path, passphrase: str = "") -> Credentials:
    """A key and its certificate file: the signer's certificate first, then its chain."""
    key = serialization.load_pem_private_key(
        Path(key_path).read_bytes(), password=passphrase.encode() or None
    )
    cert, *chain = load_certificates(cert_path)
    return Credentials(key=key, cert=cert, chain=tuple(chain))
