"""Wires the pipeline's stacks together; `cdktf synth` runs this (see cdktf.json).

No resource is declared here: the stacks are in modules/firelens_app/stacks/,
built from the firelens_cdktf library's public API.
"""

import firelens_cdktf
from firelens_app.config import PipelineConfig
from firelens_cdktf import FirelensError

try:  # first: a bad setting fails at once, before cdktf starts its JavaScript runtime (~5 s)
    config = PipelineConfig.from_env()  # FIRELENS_STAGE, FIRELENS_REGION, FIRELENS_STATE_BUCKET
except FirelensError as error:  # its message says what to fix, a traceback adds nothing
    raise SystemExit(f"main.py: {error}") from None

firelens_cdktf.use_fast_provider_imports()  # before anything imports the provider bindings: synth in ~2 s, not ~20

from cdktf import App  # noqa: E402

from firelens_app.stacks import ImagesStack, PipelineStack, StateStack  # noqa: E402

app = App()
state = StateStack(app, "state", config=config)  # the bucket every stack's state lives in, its own too
pipeline = PipelineStack(app, "pipeline", config=config)  # archive, repositories, FirelensService
images = ImagesStack(app, "images", config=config)  # builds and pushes the images: needs Docker
pipeline.add_dependency(state)  # its state lives in the state bucket
images.add_dependency(pipeline)  # pushes into the pipeline's repositories
app.synth()
