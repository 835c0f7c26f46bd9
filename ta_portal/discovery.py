"""Find an optional module (``nav``, ``urls``, ``api``, ``demo``) in each portal app, in app order."""

from importlib import import_module
from types import ModuleType

from django.conf import settings


def portal_modules(name: str) -> list[ModuleType]:
    modules = []
    for app in settings.PORTAL_APPS:
        dotted = f"{app}.{name}"
        try:
            modules.append(import_module(dotted))
        except ModuleNotFoundError as exc:
            if exc.name != dotted:  # the module exists but something it imports is missing
                raise
    return modules
