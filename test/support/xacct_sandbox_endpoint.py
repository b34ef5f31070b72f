"""Sends every request a botocore session makes to xacct's sandbox (XACCT_SANDBOX_URL).

Debian's botocore 1.29 and AWS CLI 2.9 predate AWS_ENDPOINT_URL (botocore 1.31, CLI 2.13), and
`--endpoint-url` reaches only the command's own client, not the STS clients that botocore's
credential providers create to assume a profile's roles. botocore's documented `before-sign` event
("allows mutating the request before signing") lets this module point every request of the
session, those included, at the sandbox; nothing else of credential resolution is touched.

Used two ways: `register(session)` on a boto3 or botocore session, and as an AWS CLI plugin
(`[plugins]` in the config file: `cli_legacy_plugin_path` = this directory,
`xacct_sandbox = xacct_sandbox_endpoint`), which calls `awscli_initialize`.
"""
import os
from urllib.parse import urlsplit


def _to_sandbox(request, **kwargs):
    url = os.environ["XACCT_SANDBOX_URL"].rstrip("/")
    parts = urlsplit(request.url)
    request.url = f"{url}{parts.path or '/'}{'?' + parts.query if parts.query else ''}"


def register(session):
    """Registers the hook on a boto3 Session (its `events`) or a botocore session."""
    getattr(session, "events", session).register("before-sign", _to_sandbox)


def awscli_initialize(events):
    events.register("before-sign", _to_sandbox)
