"""Write a throw-away CA, the agency's certificate and one per signer to settings.SIGNING."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from documents import pki
from documents.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEMO_CA = "Văn thư demo CA (không dùng thật)"


def _person_name(user: User) -> str:
    """Vietnamese order: family and middle names first, given name last."""
    full = f"{user.last_name} {user.first_name}".strip()
    return full or user.get_username()


class Command(BaseCommand):
    help = "Tạo bộ khóa và chứng thư số thử nghiệm (CA, cơ quan, người ký) trong var/pki/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", help="Chữ viết tắt của cơ quan, ví dụ STTTT.")
        parser.add_argument("--force", action="store_true", help="Ghi đè bộ khóa đã có.")

    def handle(self, *args: object, **options: object) -> None:
        config = settings.SIGNING
        ca_cert = Path(config["CA_CERT"])
        if ca_cert.exists() and not options["force"]:
            raise CommandError(f"{ca_cert} đã tồn tại; dùng --force để tạo lại.")
        passphrase = config.get("KEY_PASSPHRASE", "")
        organization = self._organization(options.get("organization"))
        ca = pki.make_ca(common_name=DEMO_CA, organization=DEMO_CA)
        pki.write(
            ca, key_path=ca_cert.with_name("ca.key.pem"), cert_path=ca_cert, passphrase=passphrase
        )
        agency = pki.issue(
            ca,
            common_name=organization.name,
            organization=organization.parent_name or organization.name,
        )
        pki.write(
            agency,
            key_path=Path(config["AGENCY_KEY"]),
            cert_path=Path(config["AGENCY_CERT"]),
            passphrase=passphrase,
        )
        self.stdout.write(f"CA: {ca_cert}\n{organization.name}: {config['AGENCY_CERT']}")
        signers_dir = Path(config["SIGNER_KEYS_DIR"])
        for user in self._signers():
            credentials = pki.issue(
                ca, common_name=_person_name(user), organization=organization.name
            )
            name = user.get_username()
            pki.write(
                credentials,
                key_path=signers_dir / f"{name}.key.pem",
                cert_path=signers_dir / f"{name}.crt.pem",
                passphrase=passphrase,
            )
            self.stdout.write(f"{_person_name(user)}: {signers_dir / name}.crt.pem")

    def _organization(self, abbreviation: object) -> Organization:
        organizations = Organization.objects.exclude(parent_name="")
        if abbreviation:
            organizations = Organization.objects.filter(abbreviation=abbreviation)
        organization = organizations.order_by("pk").first()
        if organization is None:
            raise CommandError("Chưa có cơ quan nào: chạy loaddata organisation trước.")
        return organization

    def _signers(self) -> list[User]:
        users = get_user_model().objects.filter(profile__position__signs_documents=True)
        return list(users.order_by("username"))
