"""The nginx template (``deploy/nginx.conf.template``) filled in the way the nginx image's envsubst does it in
compose.yaml: each ``${NAME}`` given a value is replaced; nginx's own ``$variables`` are left alone. The deployment
test fills it for its ports and temporary directory; the compose lint checks compose.yaml sets every name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def placeholders(text: str) -> set[str]:
    """The ``${NAME}`` placeholders a template uses."""
    return set(PLACEHOLDER.findall(text))


def fill(text: str, values: Mapping[str, str]) -> str:
    """The template with every placeholder replaced; KeyError names those without a value (nginx would refuse
    ``${NAME}`` anyway, with a less helpful message)."""
    missing = sorted(placeholders(text) - set(values))
    if missing:
        raise KeyError(f"no value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)
