"""This project's own stacks: ``state`` (the bucket every stack keeps its state in),
``pipeline`` (the article's pipeline, built from the constructs) and ``images``
(builds and pushes the images; needs Docker), with their shared backend and provider helpers.
"""

from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {
    "PipelineConfig": ".config",
    "StateStack": ".state",
    "PipelineStack": ".pipeline", "pipeline_routing": ".config",
    "ImagesStack": ".images",
    "aws_provider": "._backend", "s3_backend": "._backend",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
