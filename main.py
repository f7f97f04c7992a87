"""Wires the pipeline's stacks together; `cdktf synth` runs this (see cdktf.json).

No resource is declared here: see modules/.
"""

from modules import ImagesStack, PipelineConfig, PipelineStack, StateStack  # first: fast provider imports

from cdktf import App

config = PipelineConfig.from_env()
app = App()
state = StateStack(app, "state", config=config)  # bucket for the other stacks' state (local state)
pipeline = PipelineStack(app, "pipeline", config=config)  # archive, repositories, FirelensService
images = ImagesStack(app, "images", config=config)  # builds and pushes the images: needs Docker
pipeline.add_dependency(state)  # its state lives in the state bucket
images.add_dependency(pipeline)  # pushes into the pipeline's repositories
app.synth()
