"""Check the digital signatures of a PDF: who, when, which certificate, intact, trusted."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from documents import pki, signing

LATER_CHANGES = {
    "none": "không có",
    "lta_updates": "chỉ bổ sung thông tin kiểm tra chữ ký",
    "form_filling": "chỉ điền biểu mẫu và ký tiếp (số, ngày ban hành, chữ ký số cơ quan)",
    "annotations": "thêm chú thích",
}


class Command(BaseCommand):
    help = "Kiểm tra chữ ký số trong tệp PDF; trả mã lỗi khác 0 nếu chữ ký hỏng hoặc không tin cậy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--ca",
            type=Path,
            help="Chứng thư CA tin cậy (PEM); mặc định SIGNING['CA_CERT'] và "
            "SIGNING['TRUST_ANCHORS'].",
        )
        parser.add_argument(
            "--fetch-revocation",
            action="store_true",
            help="Tra cứu OCSP/CRL theo địa chỉ trong chứng thư (mặc định theo "
            "SIGNING['FETCH_REVOCATION']).",
        )

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["file"]  # type: ignore[assignment]
        ca: Path | None = options["ca"]  # type: ignore[assignment]
        try:
            roots = pki.load_certificates(ca) if ca else signing.trust_roots()
            reports = signing.verify_pdf(
                path.read_bytes(),
                trust_roots=roots,
                fetch_revocation=True if options["fetch_revocation"] else None,
            )
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        if not reports:
            raise CommandError(_("Tệp không có chữ ký số nào."))
        for index, report in enumerate(reports, start=1):
            self._print(index, report)
        failed = [report for report in reports if not report.ok]
        if failed:
            raise CommandError(
                _("%(count)d/%(total)d chữ ký không hợp lệ.")
                % {"count": len(failed), "total": len(reports)}
            )
        self.stdout.write(self.style.SUCCESS(_("Tất cả chữ ký số hợp lệ.")))

    def _print(self, index: int, report: signing.SignatureReport) -> None:
        if report.timestamp_time:
            when = _("%(when)s (dấu thời gian của %(tsa)s)") % {
                "when": report.timestamp_time.isoformat(),
                "tsa": report.tsa_name,
            }
        elif report.signing_time:
            when = _("%(when)s (do máy người ký tự ghi, không có dấu thời gian)") % {
                "when": report.signing_time.isoformat()
            }
        else:
            when = _("không rõ")
        intact = _("nguyên vẹn") if report.intact else _("ĐÃ BỊ THAY ĐỔI")
        if report.coverage == "entire_file":
            scope = _("toàn bộ tệp")
        else:
            change = LATER_CHANGES.get(report.later_changes, report.later_changes)
            allowed = _("được phép") if report.changes_permitted else _("KHÔNG được phép")
            scope = _("đến phiên bản của nó; thay đổi sau đó: %(change)s (%(allowed)s)") % {
                "change": change,
                "allowed": allowed,
            }
        trusted = _("được tin cậy") if report.trusted else _("KHÔNG được tin cậy")
        if report.trusted and report.validated_at_timestamp:
            trusted += " " + _(
                "(chứng thư đã hết hạn; hợp lệ tại thời điểm của dấu thời gian, theo thông tin "
                "thu hồi lưu trong tệp)"
            )
        revocation = {
            "good": _("chưa bị thu hồi"),
            "revoked": _("ĐÃ BỊ THU HỒI"),
        }.get(report.revocation, _("không rõ (không có thông tin thu hồi)"))
        if report.revocation_source:
            where = _("lưu trong tệp") if report.revocation_embedded else _("tra cứu lúc kiểm tra")
            revocation += f" ({report.revocation_source}, {where})"
        lines = [
            _("Chữ ký %(index)d (%(field)s): %(signer)s — %(org)s")
            % {
                "index": index,
                "field": report.field_name,
                "signer": report.signer,
                "org": report.organization,
            },
            "  " + _("Thời gian ký: %(when)s") % {"when": when},
            "  " + _("Chứng thư số (SHA-256): %(fp)s") % {"fp": report.fingerprint},
            "  "
            + _("Toàn vẹn: %(intact)s; phạm vi: %(scope)s")
            % {
                "intact": intact,
                "scope": scope,
            },
            "  "
            + _("Chuỗi chứng thư (gốc → người ký): %(chain)s")
            % {"chain": " → ".join(report.chain) or _("không rõ")},
            "  " + _("Tình trạng thu hồi: %(revocation)s") % {"revocation": revocation},
            "  " + _("Mức chữ ký: PAdES %(level)s") % {"level": report.ltv_level},
            "  " + _("Tin cậy: %(trusted)s") % {"trusted": trusted},
        ]
        if report.reason or report.location:
            lines.append(
                "  "
                + _("Lý do: %(reason)s; nơi ký: %(location)s")
                % {
                    "reason": report.reason,
                    "location": report.location,
                }
            )
        style = self.style.SUCCESS if report.ok else self.style.ERROR
        self.stdout.write(style(lines[0]))
        self.stdout.write("\n".join(lines[1:]))
