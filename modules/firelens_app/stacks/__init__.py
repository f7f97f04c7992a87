"""This project's stacks: ``state`` (the bucket every stack keeps its state in), ``pipeline``
(the article's pipeline, built from the library's constructs) and ``images`` (builds and
pushes the images; needs Docker)."""

from __future__ import annotations

from firelens_app.stacks.images import ImagesStack
from firelens_app.stacks.pipeline import IMAGES, PipelineStack
from firelens_app.stacks.state import StateStack

__all__ = ["IMAGES", "ImagesStack", "PipelineStack", "StateStack"]
