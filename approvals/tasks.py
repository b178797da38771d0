"""Background jobs of approvals (Celery; in-process where no broker is configured)."""

from __future__ import annotations

import logging

from celery import shared_task

from . import notifications

logger = logging.getLogger(__name__)

# Tried again after 30 s, 1, 2, 4… minutes, then every hour: about six hours in all.
MAIL_RETRIES = 12


@shared_task(bind=True, max_retries=MAIL_RETRIES, ignore_result=True)
def send_notification_email(self, address: str, message: str, link: str) -> bool:
    """One notification e-mail. While the mail server is down the worker tries again later,
    with back-off (the message waits in Redis), and never blocks or undoes the step that
    asked for it. Without a broker (the demo) there is nowhere to keep it: logged, dropped."""
    try:
        notifications.deliver_notification_email(address, message, link)
    except Exception as exc:  # any backend error: SMTP, socket, TLS, authentication
        retries = self.request.retries
        if self.request.is_eager or retries >= MAIL_RETRIES:
            logger.exception("Không gửi được thư thông báo tới %s", address)
            return False
        logger.warning("Thư thông báo tới %s chưa gửi được (lần %d): %s", address, retries + 1, exc)
        raise self.retry(exc=exc, countdown=min(30 * 2**retries, 3600)) from exc
    return True
