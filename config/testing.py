"""Helpers the test settings (config.settings_test) name; never used by the running site."""

from axes.backends import AxesStandaloneBackend


class RequestOptionalAxesBackend(AxesStandaloneBackend):
    """axes' backend, minus its refusal of an authentication without a request (the test
    client's `login()`): with no request there is no address to throttle, so nothing to check."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
