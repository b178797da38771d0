"""What goes wrong while signing, as a ValidationError with a Vietnamese message."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import aiohttp
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def _who(username: str | None) -> str:
    if username is None:
        return _("cơ quan")
    return _("người ký %(user)s") % {"user": username}


def _refusal(message: str, who: str, reason: object = "") -> ValidationError:
    return ValidationError(message % {"who": who, "reason": reason})


def _config_refusal(who: str, exc: Exception) -> ValidationError:
    return _refusal(
        _("Cấu hình ký số của %(who)s không hợp lệ (%(reason)s); liên hệ quản trị hệ thống."),
        who,
        exc,
    )


def _pkcs11_exceptions() -> tuple[type[BaseException], ...]:
    import pkcs11.exceptions
    from pyhanko.sign.pkcs11 import PKCS11Error

    return (pkcs11.exceptions.PKCS11Error, PKCS11Error)


def _is_wrong_pin(exc: BaseException) -> bool:
    import pkcs11.exceptions as errors

    pin_errors = (
        errors.PinIncorrect,
        errors.PinInvalid,
        errors.PinLenRange,
        errors.PinLocked,
        errors.PinExpired,
        errors.UserPinNotInitialized,
    )
    return isinstance(exc, pin_errors)


def _causes(exc: BaseException | None) -> Iterator[BaseException]:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _remote_refusal(who: str, url: str, exc: BaseException) -> ValidationError:
    """A failed call to a CSC service, said as what the person can do about it."""
    causes = list(_causes(exc))
    for cause in causes:
        if isinstance(cause, aiohttp.ClientResponseError):
            return _refusal(
                _(
                    "Dịch vụ ký số từ xa từ chối yêu cầu ký của %(who)s (HTTP %(reason)s); "
                    "liên hệ quản trị hệ thống."
                ),
                who,
                cause.status,
            )
    unreachable = (aiohttp.ClientConnectionError, asyncio.TimeoutError, OSError)
    if any(isinstance(cause, unreachable) for cause in causes):
        return ValidationError(
            _(
                "Không kết nối được dịch vụ ký số từ xa (%(url)s) để ký cho %(who)s; vui lòng "
                "thử lại sau ít phút hoặc liên hệ quản trị hệ thống."
            )
            % {"url": url, "who": who}
        )
    return _refusal(
        _("Dịch vụ ký số từ xa không ký được cho %(who)s (%(reason)s); liên hệ quản trị hệ thống."),
        who,
        exc,
    )


def _pkcs11_refusal(who: str, exc: BaseException) -> ValidationError:
    if any(_is_wrong_pin(cause) for cause in _causes(exc)):
        return _refusal(
            _(
                "Mã PIN của thiết bị ký số của %(who)s không đúng hoặc thiết bị đã bị khoá; "
                "chưa ký. Liên hệ quản trị hệ thống."
            ),
            who,
        )
    return _refusal(
        _(
            "Không dùng được thiết bị ký số (token/HSM) của %(who)s (%(reason)s); kiểm tra "
            "thiết bị đã cắm và cấu hình đúng, hoặc liên hệ quản trị hệ thống."
        ),
        who,
        str(exc) or type(exc).__name__,
    )
