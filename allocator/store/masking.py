"""Hiding passwords in anything the store prints or logs.

:func:`mask_secrets` works on any text, including URLs SQLAlchemy cannot parse
and driver errors that quote a connection string. It hides

- the password of every ``scheme://user:password@`` (up to the last ``@`` before
  a space or quote, so a password holding ``@``, ``/`` or ``:`` is hidden whole);
- ``password=...`` / ``PGPASSWORD=...`` in libpq DSN text (quoted or not);
- ``'password': '...'`` in a printed dict;
- every literal secret passed in ``known`` (use :func:`secrets_of` on the value
  the user gave: it also covers a password with spaces or quotes, and its
  percent-decoded form).

Guaranteed: for a value ``v``, no candidate returned by ``secrets_of(v)`` of
three characters or more survives ``mask_secrets(text, secrets_of(v))``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, unquote

MASK = "***"
_URL_PASSWORD = re.compile(
    r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:@/\s'\"]*:)(?P<password>[^\s'\"]*)(?P<at>@)")
_DSN_PASSWORD = re.compile(r"(?P<head>\b(?:PG)?password\s*=\s*)(?P<password>'(?:[^'\\]|\\.)*'|[^\s'\"]+)",
                           re.IGNORECASE)
_DICT_PASSWORD = re.compile(r"(?P<head>['\"]password['\"]\s*:\s*)(?P<password>'[^']*'|\"[^\"]*\")",
                            re.IGNORECASE)
_MIN_LITERAL = 3  # shorter literals would garble messages; the patterns above still hide them in URLs


def secrets_of(value: str | None) -> list[str]:
    """Every string in ``value`` (a ``--db`` value, parsable or not) that may be a password.

    After ``scheme://``: the user part up to the last ``@`` is ``user:password``; everything
    after its first ``:`` is a candidate. Without ``@``, each ``:``-separated piece after
    the first is one (a forgotten ``@`` turns ``user:password/host`` into host and port).
    Each candidate comes with its percent-decoded, percent-encoded and repr-escaped forms.
    """
    if not value or "://" not in value:
        return []
    rest = value.split("://", 1)[1]
    found: list[str] = []
    if "@" in rest:
        userinfo = rest.rsplit("@", 1)[0]
        if ":" in userinfo:
            found.append(userinfo.split(":", 1)[1])
    else:
        netloc = re.split(r"[/?#]", rest, maxsplit=1)[0]
        found.extend(p for p in netloc.split(":")[1:] if not p.isdigit())  # digits only: a port
        if ":" in netloc and not netloc.split(":", 1)[1].isdigit():
            found.append(rest.split(":", 1)[1])
    for match in _DSN_PASSWORD.finditer(value):
        found.append(match.group("password").strip("'"))
    out: list[str] = []
    for s in found:
        for form in (s, unquote(s), quote(s, safe=""), repr(s)[1:-1]):
            if form and form not in out:
                out.append(form)
    return out


def mask_secrets(text: object, known: Iterable[str] = ()) -> str:
    """``text`` (any object, as ``str``) with every password hidden as ``***``."""
    out = str(text)
    for secret in sorted({k for k in known if k and len(k) >= _MIN_LITERAL}, key=len, reverse=True):
        out = out.replace(secret, MASK)
    out = _URL_PASSWORD.sub(lambda m: m.group("head") + MASK + m.group("at"), out)
    out = _DSN_PASSWORD.sub(lambda m: m.group("head") + MASK, out)
    out = _DICT_PASSWORD.sub(lambda m: m.group("head") + repr(MASK), out)
    return out
