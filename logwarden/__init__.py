"""logwarden: prove, tenant by tenant, that cloud audit logs are centrally collected, protected
and retained.

The one import package of the ``logwarden`` distribution. Its subpackages live at the top of
the repository, as the design card lays it out, and install under this name:
``logwarden.scanner`` (the engine and the cloud collectors), ``logwarden.checks`` (Python
controls) and ``logwarden.reports`` (the report formats and their templates).
"""

from __future__ import annotations

import importlib.metadata

try:
    __version__ = importlib.metadata.version("logwarden")
except importlib.metadata.PackageNotFoundError:  # a bare source tree, not installed
    __version__ = "0+unknown"
