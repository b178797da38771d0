"""Project configuration. The Celery app is loaded with Django, as Celery's documentation asks,
so that `@shared_task` jobs bind to it in every process (web, worker, beat, commands)."""

from config.celery import app as celery_app

__all__ = ("celery_app",)
